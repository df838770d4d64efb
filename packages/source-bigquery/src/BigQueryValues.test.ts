import { describe, expect, it } from "vitest"
import { cellsOf, fieldConversion, isoMicros, resultColumns, typeName } from "./BigQueryValues.ts"

const options = { bigNumbers: "number-if-exact", binary: "base64" } as const

describe("BigQuery REST values", () => {
  it("reads TIMESTAMP as int64 microseconds or float seconds, before and after the epoch", () => {
    const timestamp = fieldConversion({ name: "t", type: "TIMESTAMP" }, options).convert
    expect(timestamp("1704164645123456")).toBe("2024-01-02T03:04:05.123456Z")
    expect(timestamp("-1")).toBe("1969-12-31T23:59:59.999999Z")
    expect(timestamp("1.7041646451E9")).toBe("2024-01-02T03:04:05.100Z")
    expect(isoMicros(0n)).toBe("1970-01-01T00:00:00.000Z")
  })

  it("keeps big INT64 and NUMERIC as text, floats' NaN and Infinity as their names, BYTES as asked", () => {
    expect(fieldConversion({ name: "n", type: "INTEGER" }, options).convert("9007199254740993")).toBe("9007199254740993")
    expect(fieldConversion({ name: "n", type: "NUMERIC" }, options).convert("12.50")).toBe(12.5)
    expect(fieldConversion({ name: "n", type: "NUMERIC" }, { ...options, bigNumbers: "string" }).convert("12.50")).toBe("12.50")
    expect(fieldConversion({ name: "f", type: "FLOAT" }, options).convert("NaN")).toBe("NaN")
    expect(fieldConversion({ name: "b", type: "BYTES" }, { ...options, binary: "hex" }).convert(Buffer.from("hi").toString("base64"))).toBe("6869")
  })

  it("reads REPEATED RECORDs, nested, with nulls", () => {
    const field = {
      name: "orders",
      type: "RECORD",
      mode: "REPEATED",
      fields: [
        { name: "id", type: "INTEGER" },
        { name: "tags", type: "STRING", mode: "REPEATED" }
      ]
    }
    const value = [{ v: { f: [{ v: "1" }, { v: [{ v: "a" }] }] } }, { v: { f: [{ v: null }, { v: [] }] } }]
    expect(fieldConversion(field, options).convert(value)).toEqual([
      { id: 1, tags: ["a"] },
      { id: null, tags: [] }
    ])
    expect(typeName(field)).toBe("ARRAY<STRUCT<id INT64, tags ARRAY<STRING>>>")
    expect(cellsOf({ f: [{ v: "x" }, { v: null }] })).toEqual(["x", null])
  })

  it("refuses two columns of one name and a refused BYTES column before any row", () => {
    expect(() =>
      resultColumns(
        [
          { name: "a", type: "STRING" },
          { name: "a", type: "STRING" }
        ],
        options,
        "reading"
      )
    ).toThrow(/a/)
    expect(() => resultColumns([{ name: "blob", type: "BYTES" }], { ...options, binary: "refuse" }, "reading")).toThrow(/blob/)
  })
})
