import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import type { DeliveryReport } from "@tablecast/core"
import { type Sink, startSink } from "@tablecast/sink"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { readJsonl } from "../testing/readJsonl.ts"
import { runCli } from "../testing/runCli.ts"

// Issue 14, finding 1: `tablecast sync -f deep.csv -e X -u customer_id --column payload=json`, the 5th
// of 10 rows holding a JSON value nested 6,000 deep, printed "completed, 5 read, 4 mapped", exit 0,
// and the receiver got nothing: the serializer's exception was taken for the end of the file.

const WRITE_KEY = "wk_test_deep_values"

let dir: string
let sink: Sink | undefined
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "tablecast-cli-deep-"))
})
afterEach(async () => {
  await sink?.close()
  sink = undefined
})

const writeDeepCsv = async () => {
  const file = path.join(dir, "deep.csv")
  const deep = `${"[".repeat(6_000)}${"]".repeat(6_000)}`
  const rows = Array.from({ length: 10 }, (_, i) => `c${i + 1},0.${i + 1},"${i + 1 === 5 ? deep : `{""n"":${i + 1}}`}"`)
  await writeFile(file, `customer_id,score,payload\n${rows.join("\n")}\n`)
  return file
}

describe("tablecast sync: a JSON value nested 6,000 deep", () => {
  it.each([["--worker"], ["--no-worker"]])("rejects that row with its reason, delivers the other 9, exit 3 (%s)", async (thread) => {
    const file = await writeDeepCsv()
    const received = path.join(dir, "received.jsonl")
    const rejectsFile = path.join(dir, "rejects.jsonl")
    sink = await startSink({ out: received, writeKeys: [WRITE_KEY] })
    const result = await runCli(
      [
        "sync",
        "-f",
        file,
        "-e",
        "X",
        "-u",
        "customer_id",
        "--column",
        "payload=json",
        "--endpoint",
        sink.url,
        "--rejects",
        rejectsFile,
        "--json",
        thread
      ],
      { env: { SEGMENT_WRITE_KEY: WRITE_KEY } }
    )
    expect(result.code).toBe(3)
    const report = JSON.parse(result.stdout) as DeliveryReport
    expect(report.outcome).toBe("completed")
    expect(report.fatal).toBeUndefined()
    expect(report.rows).toEqual({ read: 10, mapped: 9, rejected: 1, skipped: 0 })
    expect(report.messages).toMatchObject({ built: 9, accepted: 9, refused: 0, undelivered: 0 })
    const rejects = await readJsonl(rejectsFile)
    expect(rejects).toHaveLength(1)
    expect(rejects[0]).toMatchObject({
      row: 5,
      stage: "validation",
      column: "payload",
      reason: 'column "payload": value nested deeper than 64 levels'
    })
    await sink.close()
    const messages = await readJsonl(received)
    const users = messages.map((message) => Number(String(message.userId).slice(1))).sort((a, b) => a - b)
    expect(users).toEqual([1, 2, 3, 4, 6, 7, 8, 9, 10])
  })
})
