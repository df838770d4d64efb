// Generates the API reference (docs/api, Markdown) from the sources with TypeDoc, offline.
// `node generate.mjs` writes it; `node generate.mjs --check` generates it into a temporary folder
// and fails, naming the files, when the committed reference differs (run by `pnpm test`).
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { Application } from "typedoc"

const here = path.dirname(fileURLToPath(import.meta.url))
const committed = path.resolve(here, "../../docs/api")
const check = process.argv.includes("--check")

const generate = async (out) => {
  const app = await Application.bootstrapWithPlugins({ options: path.join(here, "typedoc.json"), out })
  const project = await app.convert()
  if (project === undefined || app.logger.hasErrors()) throw new Error("TypeDoc could not convert the sources (see above)")
  await app.generateOutputs(project)
}

/** Every file under a folder, as relative paths. */
const filesUnder = async (dir) => {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])
  return entries.filter((entry) => entry.isFile()).map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
}

if (!check) {
  await rm(committed, { recursive: true, force: true })
  await generate(committed)
  console.log(`API reference written to ${path.relative(process.cwd(), committed) || "."}`)
} else {
  const fresh = await mkdtemp(path.join(tmpdir(), "tablecast-api-"))
  try {
    await generate(fresh)
    const [now, before] = await Promise.all([filesUnder(fresh), filesUnder(committed)])
    const differing = []
    for (const file of new Set([...now, ...before])) {
      const [a, b] = await Promise.all([
        readFile(path.join(fresh, file), "utf8").catch(() => undefined),
        readFile(path.join(committed, file), "utf8").catch(() => undefined)
      ])
      if (a !== b) differing.push(a === undefined ? `${file} (no longer generated)` : b === undefined ? `${file} (not committed)` : file)
    }
    if (differing.length > 0) {
      console.error(`docs/api is out of date with the sources; run \`pnpm docs:api\` and commit. Differing: ${differing.sort().join(", ")}`)
      process.exitCode = 1
    } else console.log(`docs/api is current (${now.length} files)`)
  } finally {
    await rm(fresh, { recursive: true, force: true })
  }
}
