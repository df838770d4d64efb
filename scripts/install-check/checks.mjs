// What the install check asserts in a folder where the tarballs were installed with plain npm.
// Each check throws an Error saying what went wrong, or returns a line of figures.
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs"
import { basename, join } from "node:path"
import { startSink } from "./sink.mjs"
import { run, seconds, tail } from "./run.mjs"

export const csvRowCount = 50
const event = "Install Check"

/** A small CSV file: customer ids c1..c50 with a score each. */
export const writeCsv = (folder) => {
  const ids = Array.from({ length: csvRowCount }, (_, index) => `c${index + 1}`)
  const file = join(folder, "rows.csv")
  writeFileSync(file, `customer_id,score\n${ids.map((id, index) => `${id},${(index / csvRowCount).toFixed(2)}`).join("\n")}\n`)
  return { file, ids }
}

const megabytes = (kibibytes) => (kibibytes * 1024) / 1e6

/** `du -sk` of a folder's node_modules, in MB (10^6 bytes). */
export const installedMegabytes = async (folder) => {
  const du = await run("du", ["-sk", join(folder, "node_modules")], { cwd: folder, env: process.env })
  return megabytes(Number(du.stdout.split(/\s/)[0]))
}

/** An empty folder, `npm init -y`, then `npm install` of the given tarballs (plain npm). */
export const npmInstall = async ({ folder, tarballs, env }) => {
  mkdirSync(folder, { recursive: true })
  const init = await run("npm", ["init", "-y"], { cwd: folder, env })
  if (init.code !== 0) throw new Error(`npm init -y failed:\n${tail(init.stderr)}`)
  const installed = await run("npm", ["install", ...tarballs], { cwd: folder, env })
  if (installed.code !== 0)
    throw new Error(`npm install of ${tarballs.map((path) => basename(path)).join(", ")} failed:\n${tail(installed.stderr)}`)
  return { millis: installed.millis, megabytes: await installedMegabytes(folder) }
}

/** `npx tablecast --version` names the CLI tarball's version. */
export const checkVersion = async ({ folder, env, version }) => {
  // --no: never fetch a `tablecast` package from the registry if the installed one is missing;
  // --: the flags after it are tablecast's, not npx's own.
  const printed = await run("npx", ["--no", "--", "tablecast", "--version"], { cwd: folder, env })
  if (printed.code !== 0) throw new Error(`npx tablecast --version exited ${printed.code}:\n${tail(printed.stderr)}`)
  if (!printed.stdout.split(/[\s/]+/).includes(version))
    throw new Error(`npx tablecast --version printed "${printed.stdout.trim()}", not ${version}`)
  return printed.stdout.trim()
}

const sameIds = (received, expected) => received.length === expected.length && [...received].sort().join() === [...expected].sort().join()

/**
 * `tablecast sink --port 0`, then `tablecast sync` of the CSV against it with --json: exit 0, the
 * report counts every row accepted, and the sink received exactly the CSV's rows. While the sink
 * runs, `during(url)` runs too (the library scripts send to the same sink, with other events).
 */
export const checkSyncThroughSink = async ({ folder, env, during = async () => {} }) => {
  const csv = writeCsv(folder)
  const sink = await startSink({ installFolder: folder, env })
  let synced
  try {
    const args = [
      "--no",
      "--",
      "tablecast",
      "sync",
      "--file",
      csv.file,
      "--event",
      event,
      "--customer-id",
      "customer_id",
      "--endpoint",
      sink.url,
      "--json"
    ]
    // The write key from the environment, as the docs advise (--write-key would print a warning).
    synced = await run("npx", args, { cwd: folder, env: { ...env, SEGMENT_WRITE_KEY: "test" } })
    await during(sink.url)
  } finally {
    synced = { ...synced, received: await sink.stop() }
  }
  if (synced.code !== 0) throw new Error(`tablecast sync exited ${synced.code}:\n${tail(synced.stderr)}`)
  const report = JSON.parse(synced.stdout)
  if (report.outcome !== "completed" || report.messages?.accepted !== csvRowCount) {
    throw new Error(`tablecast sync --json reported ${report.outcome}, ${report.messages?.accepted} accepted of ${csvRowCount} rows`)
  }
  const ids = synced.received.filter((message) => message.event === event).map((message) => message.userId)
  if (!sameIds(ids, csv.ids)) throw new Error(`the sink received ${ids.length} messages of the sync, not the CSV's ${csvRowCount} rows`)
  return { line: `${csvRowCount} rows synced and received in ${seconds(synced.millis)} (sink ${sink.url})` }
}

/**
 * Each tests/install/*.mjs script, copied into the install folder so that its imports resolve to
 * the installed packages (not the repository's), run there with TABLECAST_TEST_ENDPOINT.
 */
export const runLibraryScripts = async ({ scripts, folder, env, endpoint }) => {
  const results = []
  for (const script of scripts) {
    const copy = join(folder, basename(script))
    copyFileSync(script, copy)
    const ran = await run("node", [copy], { cwd: folder, env: { ...env, TABLECAST_TEST_ENDPOINT: endpoint } })
    results.push({ script: basename(script), ok: ran.code === 0, millis: ran.millis, output: tail(`${ran.stdout}${ran.stderr}`) })
  }
  return results
}

/**
 * On a Node older than the floor, every command stops at once: exit 12 and one line on stderr
 * naming the version needed, and nothing sent. The sink runs on a supported Node (`sinkEnv`); the
 * sync on the older one (`env`), against it, so a missing guard shows as what a user would see.
 */
export const checkOlderNodeRefused = async ({ folder, env, sinkEnv, floorText }) => {
  const csv = writeCsv(folder)
  const sink = await startSink({ installFolder: folder, env: sinkEnv })
  const before = (await sink.received()).length
  let ran
  try {
    const args = ["sync", "--file", csv.file, "--event", "Older Node Check", "--customer-id", "customer_id", "--endpoint", sink.url]
    ran = await run(join(folder, "node_modules", ".bin", "tablecast"), args, { cwd: folder, env: { ...env, SEGMENT_WRITE_KEY: "test" } })
  } finally {
    ran = { ...ran, sent: (await sink.stop()).length - before }
  }
  const lines = ran.stderr.split("\n").filter((line) => line.trim() !== "")
  const problems = []
  if (ran.code !== 12) problems.push(`exit code ${ran.code}, expected 12`)
  if (lines.length !== 1) problems.push(`${lines.length} lines on stderr, expected 1`)
  if (!ran.stderr.includes(floorText)) problems.push(`stderr does not name Node ${floorText}`)
  if (ran.sent !== 0) problems.push(`${ran.sent} messages reached the sink`)
  if (problems.length > 0) throw new Error(`${problems.join("; ")}; stderr:\n${tail(ran.stderr, 8)}`)
  return `exit 12, "${lines[0]}"`
}
