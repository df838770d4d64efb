import { mkdtemp, readFile, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import type { DeliveryReport } from "@tablecast/core"
import { type Sink, startSink } from "@tablecast/sink"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { runCli } from "./testing/runCli.ts"

const WRITE_KEY = "wk_test_identical_rows"

let dir: string
let sink: Sink | undefined
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "tablecast-identical-"))
})
afterEach(async () => {
  await sink?.close()
  sink = undefined
})

/** Three identical rows between two others, no key: a table of events, not of customers. */
const table = async () => {
  const file = path.join(dir, "strikes.csv")
  await writeFile(file, "airport,species,damage\nKJFK,gull,none\nKDEN,hawk,minor\nKDEN,hawk,minor\nKDEN,hawk,minor\nKSEA,crow,none\n")
  return file
}

const received = async (file: string) =>
  (await readFile(file, "utf8"))
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as { messageId: string; userId: string })

const sync = async (file: string, out: string, extra: ReadonlyArray<string> = []) => {
  sink = await startSink({ out, writeKeys: [WRITE_KEY] })
  const args = ["sync", "--file", file, "--event", "Bird Strike", "--customer-id", "airport", "--endpoint", sink.url, ...extra]
  const result = await runCli(args, { env: { SEGMENT_WRITE_KEY: WRITE_KEY } })
  await sink.close()
  sink = undefined
  return result
}

describe("identical rows through the CLI", () => {
  it("all reach the receiver under distinct messageIds, and the report counts 2 repeats", async () => {
    const file = await table()
    const out = path.join(dir, "received.jsonl")
    const result = await sync(file, out, ["--json"])
    expect(result.code).toBe(0)
    const report = JSON.parse(result.stdout) as DeliveryReport
    expect(report.messages.accepted).toBe(5)
    expect(report.rows.repeated).toBe(2)
    const messages = await received(out)
    const kden = messages.filter((message) => message.userId === "KDEN")
    expect(kden).toHaveLength(3)
    expect(new Set(kden.map((message) => message.messageId)).size).toBe(3)
    expect(new Set(messages.map((message) => message.messageId)).size).toBe(5)
  })

  it("gives the same ids when the same file is sent again, and says so in the text report", async () => {
    const file = await table()
    const first = path.join(dir, "first.jsonl")
    const second = path.join(dir, "second.jsonl")
    await sync(file, first, ["--json"])
    const result = await sync(file, second, ["--progress", "none"])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/2 repeat an earlier row \(each sent under a messageId of its own\)/)
    const ids = async (out: string) => (await received(out)).map((message) => message.messageId).sort()
    expect(await ids(second)).toEqual(await ids(first))
  })

  it("preview says how many of the rows it read repeat an earlier row", async () => {
    const file = await table()
    const result = await runCli(["preview", "--file", file, "--event", "Bird Strike", "--customer-id", "airport", "--limit", "5"])
    expect(result.code).toBe(0)
    expect(
      new Set(
        result.stdout
          .trim()
          .split("\n")
          .map((line) => (JSON.parse(line) as { messageId: string }).messageId)
      ).size
    ).toBe(5)
    expect(result.stderr).toMatch(/2 of the 5 rows previewed repeat an earlier row/)
  })

  it("inspect says how many rows repeat an earlier row exactly", async () => {
    const file = await table()
    const result = await runCli(["inspect", "--file", file])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/2 of the 5 rows scanned repeat an earlier row exactly/)
  })
})
