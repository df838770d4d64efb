import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { isMalformed, type SourceRow } from "@tablecast/core"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { describe, expect, it } from "vitest"
import { CsvSource } from "./index.ts"

const examples = resolve(import.meta.dirname, "../../../examples")
const example = join(examples, "sales-predictions.csv")

describe("examples/sales-predictions.csv", () => {
  it("reads as 3,000 well-formed rows with unique customer ids", async () => {
    const items = await Effect.runPromise(Effect.flatMap(CsvSource.make({ path: example }), (source) => Stream.runCollect(source.rows)))
    expect(items.filter(isMalformed)).toEqual([])
    const rows = items as Array<SourceRow>
    expect(rows).toHaveLength(3000)
    expect(rows[0]).toEqual({
      rowNumber: 1,
      values: {
        customer_id: "162514333",
        email: "yuki.kim@example.net",
        iphone: "0.734",
        apple_watch: "0.812",
        airpods: "0.655",
        ipad: "0.218",
        mac: "0.401",
        top_product: "apple_watch",
        segment: "champions",
        predicted_at: "2025-06-01T02:00:00.873Z"
      }
    })
    expect(new Set(rows.map((row) => row.values["customer_id"])).size).toBe(3000)
    for (const row of rows) {
      for (const product of ["iphone", "apple_watch", "airpods", "ipad", "mac"]) {
        expect(String(row.values[product])).toMatch(/^0\.\d{3}$/)
      }
      expect(Number.isNaN(Date.parse(String(row.values["predicted_at"])))).toBe(false)
    }
  })

  it("is what the seeded generator writes", () => {
    const dir = mkdtempSync(join(tmpdir(), "tablecast-example-"))
    try {
      const out = join(dir, "again.csv")
      execFileSync(process.execPath, [join(examples, "generate-sales-predictions.mjs"), "--out", out])
      expect(readFileSync(out).equals(readFileSync(example))).toBe(true)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
