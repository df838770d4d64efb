import { mkdtemp, readFile, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { RejectSink } from "@tablecast/core"
import * as Effect from "effect/Effect"
import { describe, expect, it } from "vitest"
import { rejectsFile } from "./RejectsFile.ts"

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
