import { readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { columns, csvLines, ensureDataset, seededRandom } from "./Dataset.ts"

const dir = path.join(tmpdir(), `tablecast-bench-dataset-${process.pid}`)
afterAll(() => rm(dir, { recursive: true, force: true }))

describe("the generated dataset", () => {
  it("is the same for the same seed and differs for another", () => {
    expect(csvLines(seededRandom(7), 0, 50)).toBe(csvLines(seededRandom(7), 0, 50))
    expect(csvLines(seededRandom(8), 0, 50)).not.toBe(csvLines(seededRandom(7), 0, 50))
  })

  it("writes a header and one row per customer, scores as canonical numbers, and reuses the file", async () => {
    const first = await ensureDataset(dir, 1_000, 42)
    const lines = (await readFile(first.path, "utf8")).trimEnd().split("\n")
    expect(lines[0]).toBe(columns.join(","))
    expect(lines).toHaveLength(1_001)
    const ids = new Set(lines.slice(1).map((line) => line.split(",")[0]))
    expect(ids.size).toBe(1_000)
    for (const line of lines.slice(1, 100)) {
      const fields = line.split(",")
      expect(fields).toHaveLength(columns.length)
      // Every score reads back as the number it spells, so tablecast's `auto` sends it as a number.
      for (const score of fields.slice(1, 11)) expect(String(Number(score))).toBe(score)
      expect(new Date(fields[12]!).toISOString().slice(0, 19)).toBe(fields[12]!.slice(0, 19))
    }
    const again = await ensureDataset(dir, 1_000, 42)
    expect(again).toEqual(first)
  })
})
