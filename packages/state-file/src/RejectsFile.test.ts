import { mkdtemp, readFile, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { RejectSink, WarningSink } from "@tablecast/core"
import * as Effect from "effect/Effect"
import { describe, expect, it } from "vitest"
import { rejectsFile, warningsFile } from "./RejectsFile.ts"

const line = (row: number) => JSON.stringify({ row, stage: "validation", reason: "customer_id is empty" })

describe("rejectsFile on a resumed run", () => {
  it("keeps the rejects of rows the checkpoint settled, not those of rows it sends again", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "tablecast-rejects-"))
    const file = path.join(dir, "rejects.jsonl")
    await writeFile(file, `${[5, 50, 99, 150].map(line).join("\n")}\n`)
    // Rows 40–60 were not delivered: the resumed run reads them again and reports row 50 anew.
    const resumed = Effect.gen(function* () {
      const sink = yield* RejectSink
      yield* sink.write([{ row: 50, stage: "validation", reason: "customer_id is empty" }])
    }).pipe(Effect.provide(rejectsFile(file, { watermark: 100, undelivered: [[40, 60]] })), Effect.scoped)
    await Effect.runPromise(resumed)
    const rows = (await readFile(file, "utf8"))
      .split("\n")
      .filter((text) => text !== "")
      .map((text) => (JSON.parse(text) as { row: number }).row)
    expect(rows).toEqual([5, 99, 50])
  })
})

const warned = (row: number) => ({
  row,
  violations: [{ rule: "TRACK A", property: "properties.score", text: "properties.score: must be number (TRACK A)" }],
  values: { customer_id: `c${row}`, score: "high" }
})

describe("warningsFile", () => {
  it("writes one line per warned row, and on a resumed run keeps only those of the rows the checkpoint settled", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "tablecast-warnings-"))
    const file = path.join(dir, "run.warnings.jsonl")
    const write = (rows: ReadonlyArray<number>, resumeAfter?: Parameters<typeof warningsFile>[1]) =>
      Effect.runPromise(
        Effect.gen(function* () {
          const sink = yield* WarningSink
          yield* sink!.write(rows.map(warned))
        }).pipe(Effect.provide(warningsFile(file, resumeAfter)), Effect.scoped)
      )
    const lines = async () =>
      (await readFile(file, "utf8"))
        .split("\n")
        .filter((text) => text !== "")
        .map((text) => JSON.parse(text) as ReturnType<typeof warned>)
    await write([5, 50, 99, 150])
    expect(await lines()).toEqual([5, 50, 99, 150].map(warned))
    // A run that starts over truncates it; a resumed one keeps the settled rows and appends the rest.
    await write([5, 50, 99, 150])
    await write([50, 150], { watermark: 100, undelivered: [[40, 60]] })
    expect((await lines()).map((line) => line.row)).toEqual([5, 99, 50, 150])
  })

  it("names the warnings file when it cannot be written", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "tablecast-warnings-"))
    await writeFile(path.join(dir, "file"), "")
    const failed = Effect.runPromise(
      Effect.gen(function* () {
        yield* WarningSink
      }).pipe(Effect.provide(warningsFile(path.join(dir, "file", "w.jsonl"))), Effect.scoped)
    )
    await expect(failed).rejects.toThrow(/cannot write the warnings file .*w\.jsonl/)
  })
})
