// The install check (docs/releasing.md): packs every public package as it would be published,
// installs the tarballs with plain npm into empty folders on Node 22.15.0 (the lowest supported)
// and on the repository's Node 24, and uses them there as a user would: the CLI (--version, a CSV
// sync into its own sink) and the library (tests/install/*.mjs). Then the CLI alone, whose
// installed size must stay under 40 MB, and the one-line refusal on an older Node. Prints a
// summary with the figures; exits 1 if any check failed. Run it with the repository's Node:
//   npx -y pnpm@12.4.2 exec node scripts/install-check/main.mjs
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { checkOlderNodeRefused, checkSyncThroughSink, checkVersion, npmInstall, runLibraryScripts } from "./checks.mjs"
import { nodeFromRegistry, olderNode, repositoryNode } from "./nodes.mjs"
import { outsideEnv, run, seconds, tail } from "./run.mjs"
import { pack, publicPackages, tarballManifest } from "./workspace.mjs"

const root = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "")
const lowestNode = "22.15.0"
const floor = { major: 22, minor: 15, text: "22.15" }
const cliSizeLimitMegabytes = 40

const scratch = mkdtempSync(join(tmpdir(), "tablecast-install-check-"))
// One npm cache for this run only, removed with the rest: nothing carries over between runs.
const npmCache = join(scratch, "npm-cache")
const failures = []
const summary = []

/** Runs one named check: its line goes to the summary, its failure to the list that decides the exit code. */
const check = async (name, body) => {
  try {
    const line = await body()
    summary.push(`  ok    ${name}: ${line}`)
    return true
  } catch (error) {
    failures.push(name)
    summary.push(`  FAIL  ${name}: ${error.message.split("\n")[0]}`)
    console.error(`\n--- ${name} failed ---\n${error.message}\n`)
    return false
  }
}

const step = (text) => console.log(`install-check: ${text}`)

const packEverything = async () => {
  step("building, then packing every public package (pnpm pack)")
  const built = await run("pnpm", ["run", "build"], { cwd: root, env: process.env })
  if (built.code !== 0) throw new Error(`pnpm run build failed:\n${tail(built.stdout + built.stderr, 30)}`)
  const destination = join(scratch, "tarballs")
  mkdirSync(destination)
  const packed = []
  for (const pkg of await publicPackages(root)) packed.push(await pack(pkg, destination))
  return packed.map((entry) => ({ ...entry, bytes: statSync(entry.tarball).size }))
}

const libraryScripts = () => {
  const folder = join(root, "tests", "install")
  return readdirSync(folder)
    .filter((name) => name.endsWith(".mjs"))
    .sort()
    .map((name) => join(folder, name))
}

/** Everything installed together on one Node: the CLI, then each library script. */
const checkOnNode = async ({ node, tarballs, cliVersion }) => {
  const folder = join(scratch, `all-node-${node.version}`)
  const env = outsideEnv({ nodeBinDir: node.binDir, npmCache })
  const started = performance.now()
  step(`Node ${node.version}: npm install of ${tarballs.length} tarballs into ${folder}`)
  const installed = await check(`Node ${node.version}: npm install of every tarball`, async () => {
    const { millis, megabytes } = await npmInstall({ folder, tarballs, env })
    return `${megabytes.toFixed(1)} MB installed in ${seconds(millis)}`
  })
  if (installed) {
    await check(`Node ${node.version}: npx tablecast --version`, () => checkVersion({ folder, env, version: cliVersion }))
    // The library scripts run while the CLI's sink is up; their results are kept even when the
    // CLI's own sync fails.
    const scriptResults = []
    await check(`Node ${node.version}: tablecast sync of a CSV into tablecast sink`, async () => {
      const during = async (endpoint) => {
        scriptResults.push(...(await runLibraryScripts({ scripts: libraryScripts(), folder, env, endpoint })))
      }
      return (await checkSyncThroughSink({ folder, env, during })).line
    })
    if (scriptResults.length === 0) {
      await check(`Node ${node.version}: library scripts`, () =>
        Promise.reject(new Error("none ran (none in tests/install, or the sink did not start)"))
      )
    }
    for (const result of scriptResults) {
      await check(`Node ${node.version}: tests/install/${result.script}`, async () => {
        if (!result.ok) throw new Error(result.output)
        return `exit 0 in ${seconds(result.millis)}`
      })
    }
  }
  return { node, folder: installed ? folder : undefined, millis: performance.now() - started }
}

/** The CLI tarball alone: what `npm install -g @tablecast/cli` gives a CSV user. */
const checkCliAlone = async ({ node, cli }) => {
  const folder = join(scratch, "cli-only")
  const env = outsideEnv({ nodeBinDir: node.binDir, npmCache })
  step(`Node ${node.version}: npm install of the CLI tarball alone into ${folder}`)
  const manifest = await tarballManifest(cli.tarball)
  const ours = Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies }).filter((name) => name.startsWith("@tablecast/"))
  const selfContained = await check("CLI alone: needs no other @tablecast package", async () => {
    if (ours.length > 0) {
      throw new Error(
        `the CLI tarball depends on ${ours.join(", ")}: npm would fetch them from the registry, so the CLI is not self-contained (not installed)`
      )
    }
    return "its dependencies are only third-party packages"
  })
  if (!selfContained) return
  const installed = await check(`CLI alone: installed size at most ${cliSizeLimitMegabytes} MB`, async () => {
    const { millis, megabytes } = await npmInstall({ folder, tarballs: [cli.tarball], env })
    if (megabytes > cliSizeLimitMegabytes) throw new Error(`${megabytes.toFixed(1)} MB installed, over ${cliSizeLimitMegabytes} MB`)
    return `${megabytes.toFixed(1)} MB installed in ${seconds(millis)}`
  })
  if (!installed) return
  await check(
    `CLI alone, Node ${node.version}: tablecast sync of a CSV into tablecast sink`,
    async () => (await checkSyncThroughSink({ folder, env })).line
  )
}

const kilobytes = (bytes) => `${(bytes / 1000).toFixed(1)} kB`

/** A short summary with the figures: CI keeps the log's tail. */
const printSummary = ({ packed, packMillis, nodes, runs, totalMillis }) => {
  const total = packed.reduce((sum, entry) => sum + entry.bytes, 0)
  console.log("\ninstall-check summary")
  console.log(`  ${packed.length} tarballs, ${kilobytes(total)}, built and packed in ${seconds(packMillis)}:`)
  console.log(`    ${packed.map((entry) => `${entry.name.replace("@tablecast/", "")} ${kilobytes(entry.bytes)}`).join(", ")}`)
  console.log(`  Node: ${nodes.map((node) => `${node.version} (${node.source}${node.millis > 0 ? `, ${seconds(node.millis)}` : ""})`).join("; ")}`)
  console.log(`  install and checks: ${runs.map(({ node, millis }) => `${seconds(millis)} on ${node.version}`).join(", ")}`)
  console.log(summary.join("\n"))
  console.log(`install-check: ${failures.length === 0 ? "passed" : `${failures.length} failed`} in ${seconds(totalMillis)}`)
}

const main = async () => {
  const started = performance.now()
  const packed = await packEverything()
  const packMillis = performance.now() - started
  const cli = packed.find((entry) => entry.name === "@tablecast/cli")
  if (cli === undefined) throw new Error("no @tablecast/cli among the public packages")
  step(`installing Node ${lowestNode} from the registry`)
  const nodes = [await nodeFromRegistry({ spec: lowestNode, folder: join(scratch, `node-${lowestNode}`), npmCache }), await repositoryNode(root)]
  const runs = []
  for (const node of nodes) runs.push(await checkOnNode({ node, tarballs: packed.map((entry) => entry.tarball), cliVersion: cli.version }))
  await checkCliAlone({ node: nodes[0], cli })
  const older = await olderNode({ floor, folder: join(scratch, "node-older"), npmCache })
  const installed = runs.find((entry) => entry.folder !== undefined)
  await check(`Node ${older.version} (${older.source}): tablecast sync refused in one line`, async () => {
    if (installed === undefined) throw new Error("no install folder to run it in (npm install failed)")
    return checkOlderNodeRefused({
      folder: installed.folder,
      env: outsideEnv({ nodeBinDir: older.binDir, npmCache }),
      sinkEnv: outsideEnv({ nodeBinDir: installed.node.binDir, npmCache }),
      floorText: floor.text
    })
  })
  printSummary({ packed, packMillis, nodes: [...nodes, older], runs, totalMillis: performance.now() - started })
}

try {
  await main()
} catch (error) {
  failures.push("setup")
  console.error(`install-check: ${error.message}`)
} finally {
  if (process.env.TABLECAST_INSTALL_CHECK_KEEP === "1") console.log(`install-check: kept ${scratch}`)
  else rmSync(scratch, { recursive: true, force: true })
}
process.exitCode = failures.length === 0 ? 0 : 1
