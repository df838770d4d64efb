#!/usr/bin/env node
// The quick start's main job: sync the bundled example into a local Segment-compatible receiver,
// print the delivery report, and check that the receiver holds exactly the messages the report
// says were accepted. Exits non-zero if anything does not add up.
import { spawn } from "node:child_process"
import { mkdir, readFile, rm } from "node:fs/promises"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { startSink } from "@tablecast/sink"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const out = path.join(root, ".tablecast", "demo")
const received = path.join(out, "received.jsonl")
const reportFile = path.join(out, "report.json")
await rm(out, { recursive: true, force: true })
await mkdir(out, { recursive: true })

const writeKey = "demo-write-key"
const sink = await startSink({ port: 0, out: received, writeKeys: [writeKey] })
console.log(`receiver: a local Segment-compatible sink at ${sink.url}\n`)

const run = (args) =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, "apps/cli/bin/run.js"), ...args], {
      cwd: root,
      env: { ...process.env, SEGMENT_WRITE_KEY: writeKey },
      stdio: ["ignore", "pipe", "inherit"]
    })
    let stdout = ""
    child.stdout.on("data", (chunk) => (stdout += chunk))
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, stdout }))
  })

const args = ["sync", "sales-predictions", "--config", "examples/tablecast.config.json", "--endpoint", sink.url, "--report", reportFile]
console.log(`$ SEGMENT_WRITE_KEY=… tablecast ${args.join(" ").replace(reportFile, path.relative(root, reportFile))}\n`)
const sync = await run(args)
process.stdout.write(sync.stdout)
await sink.close()

const report = JSON.parse(await readFile(reportFile, "utf8"))
const lines = (await readFile(received, "utf8")).split("\n").filter((line) => line !== "")
const ids = lines.map((line) => JSON.parse(line).messageId)
const unique = new Set(ids)
const csvRows = (await readFile(path.join(root, "examples/sales-predictions.csv"), "utf8")).trim().split("\n").length - 1

const problems = []
if (sync.code !== 0) problems.push(`the sync exited with ${sync.code}`)
if (report.rows.read !== csvRows) problems.push(`the report read ${report.rows.read} rows, the file has ${csvRows}`)
if (report.messages.accepted !== csvRows) problems.push(`the report accepted ${report.messages.accepted} of ${csvRows} rows`)
if (lines.length !== report.messages.accepted)
  problems.push(`the receiver holds ${lines.length} messages, the report says ${report.messages.accepted} were accepted`)
if (unique.size !== lines.length) problems.push(`the receiver holds ${lines.length - unique.size} duplicate messageIds`)

console.log(
  `\nreceiver: ${lines.length} messages in ${path.relative(root, received)}, ${unique.size} distinct messageIds; report: ${path.relative(root, reportFile)}`
)
if (problems.length > 0) {
  console.error(`\ndemo FAILED:\n- ${problems.join("\n- ")}`)
  process.exit(1)
}
console.log(`demo ok: all ${csvRows} example rows were accepted, and the receiver holds exactly those messages, once each.`)
