import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { runCli } from "@tablecast/faults-tests/support/Cli"
import { readRejects } from "@tablecast/faults-tests/support/RejectsFile"
import type { DeliveryReport, RejectedRow } from "@tablecast/core"
import type { HostileCase } from "./HostileTable.ts"
import { checkCase, type Violation } from "./Properties.ts"
import { LostAnswer, startReceiver, WRITE_KEY } from "./Receiver.ts"
import { csvBytes, EVENT } from "./TableRender.ts"

/** `tablecast sync` of a case's CSV, as a user types it: human output, the report and rejects to files. */
export const cliArgs = (hostile: HostileCase, file: string, endpoint: string, dir: string): Array<string> => [
  "sync",
  "-f",
  file,
  "-e",
  EVENT,
  "-u",
  "customer_id",
  ...hostile.columns.filter((column) => column.kind === "json").flatMap((column) => ["--column", `${column.name}=json`]),
  "--endpoint",
  endpoint,
  "--report",
  path.join(dir, "r.json"),
  "--rejects",
  path.join(dir, "rej.jsonl"),
  "--progress",
  "none",
  "--batch-count",
  String(hostile.batchCount),
  "--max-attempts",
  String(hostile.faults.maxAttempts),
  ...(hostile.faults.lostAnswers ? ["--timeout", String(LostAnswer.clientTimeoutMillis)] : [])
]

const readJson = async <T>(file: string): Promise<T | undefined> => {
  try {
    return JSON.parse(await readFile(file, "utf8")) as T
  } catch {
    return undefined
  }
}

/** Runs one case through the built CLI against the receiver; returns every property it broke. */
export const runCliCase = async (hostile: HostileCase): Promise<Array<Violation>> => {
  const dir = await mkdtemp(path.join(tmpdir(), `tablecast-hostile-${hostile.id}-`))
  try {
    const file = path.join(dir, "case.csv")
    await writeFile(file, csvBytes(hostile))
    const receiver = await startReceiver(hostile.faults, path.join(dir, "received.jsonl"))
    let result: Awaited<ReturnType<typeof runCli>>
    try {
      result = await runCli(cliArgs(hostile, file, receiver.url, dir), { cwd: dir, env: { SEGMENT_WRITE_KEY: WRITE_KEY }, timeoutMillis: 60_000 })
    } finally {
      await receiver.finish()
    }
    const stored = await receiver.finish()
    const report = await readJson<DeliveryReport>(path.join(dir, "r.json"))
    let rejects: Array<RejectedRow> = []
    try {
      rejects = await readRejects(path.join(dir, "rej.jsonl"))
    } catch {
      // No rejects file: nothing was rejected (or the run never got that far; the report says).
    }
    const rejectsText = await readFile(path.join(dir, "rej.jsonl"), "utf8").catch(() => "")
    return checkCase(hostile, {
      report,
      rejects,
      ...stored,
      outcome: { kind: "cli", code: result.code, terminal: `${result.stdout}${result.stderr}` },
      outputs: [result.stdout, result.stderr, JSON.stringify(report ?? {}), rejectsText],
      writeKey: WRITE_KEY,
      csv: true
    })
  } finally {
    if (process.env.TABLECAST_KEEP_WORKDIRS === undefined) await rm(dir, { recursive: true, force: true })
  }
}
