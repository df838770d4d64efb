// The Node versions the check runs on, each a binary from the npm registry's `node` package (the
// repository gets its Node 24 the same way, as a devDependency).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { delimiter, dirname, join } from "node:path"
import { outsideEnv, run, tail } from "./run.mjs"

const versionOf = async (nodeBinary) => (await run(nodeBinary, ["--version"], { cwd: process.cwd(), env: process.env })).stdout.trim()

/** `npm install node@<version>` in a folder of its own; returns the binary's folder and version. */
export const nodeFromRegistry = async ({ spec, folder, npmCache }) => {
  mkdirSync(folder, { recursive: true })
  writeFileSync(join(folder, "package.json"), JSON.stringify({ name: "node-for-install-check", private: true }))
  const started = performance.now()
  const env = outsideEnv({ nodeBinDir: dirname(process.execPath), npmCache })
  const installed = await run("npm", ["install", "--no-save", `node@${spec}`], { cwd: folder, env })
  const binary = join(folder, "node_modules", ".bin", "node")
  if (installed.code !== 0 || !existsSync(binary))
    throw new Error(`npm install node@${spec} failed:\n${tail(installed.stdout + installed.stderr)}`)
  // `node` is a link; its folder must hold the binary itself so PATH finds `node` there.
  const binDir = join(folder, "node_modules", "node", "bin")
  return { binDir, version: await versionOf(join(binDir, "node")), source: `npm install node@${spec}`, millis: performance.now() - started }
}

/**
 * The repository's own Node 24: the `node` devDependency pnpm installed from the registry
 * (node_modules/node), used as it is rather than downloaded a second time.
 */
export const repositoryNode = async (root) => {
  const binDir = join(root, "node_modules", "node", "bin")
  const manifest = JSON.parse(readFileSync(join(root, "node_modules", "node", "package.json"), "utf8"))
  return { binDir, version: await versionOf(join(binDir, "node")), source: `the repository's node@${manifest.version}`, millis: 0 }
}

const belowFloor = (version, floor) => {
  const [major, minor] = version.replace(/^v/, "").split(".").map(Number)
  return major < floor.major || (major === floor.major && minor < floor.minor)
}

/**
 * A Node older than the supported floor, to check the one-line refusal: the machine's own (CI's
 * machine has Node 20), or node@20 from the registry when the machine's is new enough.
 */
export const olderNode = async ({ floor, folder, npmCache }) => {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir === "" || dir.includes("node_modules") || !existsSync(join(dir, "node"))) continue
    const version = await versionOf(join(dir, "node"))
    if (belowFloor(version, floor)) return { binDir: dir, version, source: `the machine's ${join(dir, "node")}`, millis: 0 }
    break
  }
  return nodeFromRegistry({ spec: "20", folder, npmCache })
}
