import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import fc from "fast-check"
import { expect } from "vitest"
import { columnRules, type ColumnTypes, columnTypeLines, TextTypeSample } from "./ColumnTyping.ts"
import { compileMapper } from "./MessageMapper.ts"
import { preview } from "../run/Preview.ts"
import { SyncSpec, type SyncSpecInput } from "../spec/SyncSpec.ts"
import { memorySource } from "../testing/MemorySource.ts"

const library = { name: "tablecast", version: "0.0.0-test" }
const sampled = (basis = "decided from the first 1000 rows") => ({ basis })

const propertiesOf = (input: SyncSpecInput, columnTypes: ColumnTypes | undefined, values: Record<string, unknown>) => {
  const mapped = compileMapper(SyncSpec.parse(input), library, { columnTypes })({ rowNumber: 1, values })
  if (!mapped.ok) return `REJECTED: ${mapped.reason}`
  return (JSON.parse(mapped.messages[0]!.json) as { properties: unknown }).properties
}

describe("TextTypeSample", () => {
  const decide = (values: ReadonlyArray<string>) => {
    const sample = new TextTypeSample()
    values.forEach((value, index) => {
      sample.add(value, index + 1)
    })
    return sample.decide(values.length)
  }

  it("decides number for a column of amounts, whatever each amount's own form", () => {
    expect(decide(["1520.50", "210.00", "19.99", "4210.75", ""])).toEqual({ type: "number", basis: "decided from the first 5 rows" })
  })

  it("decides string when one value is not a number, naming it", () => {
    expect(decide(["19.99", "n/a", "210.00"])).toEqual({
      type: "string",
      basis: "decided from the first 3 rows",
      note: 'row 2 holds "n/a", not a number'
    })
    expect(decide(["007", "12"]).type).toBe("string")
    expect(decide(["+1", "2"]).type).toBe("string")
  })

  it("decides string when a number would lose digits as a JSON number", () => {
    expect(decide(["12345678901234567890", "1"])).toMatchObject({
      type: "string",
      note: expect.stringContaining("more digits than a JSON number carries exactly")
    })
  })

  it("decides string for a column with no value, and leaves booleans and dates as text", () => {
    expect(decide(["", ""])).toMatchObject({ type: "string", note: "no value to judge by" })
    expect(decide(["true", "false"]).type).toBe("string")
    expect(decide(["2026-01-01", "2026-01-02"]).type).toBe("string")
  })
})

describe("columnRules", () => {
  const types: ColumnTypes = { score: { type: "number", ...sampled() }, note: { type: "string", ...sampled() } }

  it("a type declared by name wins over the wildcard, which wins over the source's decision", () => {
    const ruleOf = columnRules(SyncSpec.parse({ event: "E", customerId: "id", columns: { "*": "string", score: "number", note: "auto" } }), types)
    expect(ruleOf("score")).toEqual({ _tag: "Declared", type: "number", wildcard: false })
    expect(ruleOf("other")).toEqual({ _tag: "Declared", type: "string", wildcard: true })
    // An explicit `auto` takes the column back from the wildcard.
    expect(ruleOf("note")).toEqual({ _tag: "Decided", type: "string", ...sampled() })
  })

  it("without a decision, auto converts value by value (a source that decides nothing)", () => {
    expect(columnRules(SyncSpec.parse({ event: "E", customerId: "id" }), undefined)("score")).toEqual({ _tag: "PerValue" })
  })
})

describe("compileMapper with decided column types", () => {
  const spec = { event: "Order", customerId: "id" } as const
  const monetary: ColumnTypes = { monetary: { type: "number", ...sampled() } }

  it("sends every value of a number column as a number", () => {
    const sent = ["1520.50", "210.00", "19.99", "4210.75"].map((value) => propertiesOf(spec, monetary, { id: "1", monetary: value }))
    expect(sent).toEqual([{ monetary: 1520.5 }, { monetary: 210 }, { monetary: 19.99 }, { monetary: 4210.75 }])
  })

  it("rejects a later value that does not fit, naming the column, the type and the way out", () => {
    expect(propertiesOf(spec, monetary, { id: "1", monetary: "n/a" })).toBe(
      'REJECTED: column "monetary" is typed number (decided from the first 1000 rows); "n/a" is not a number — use --column monetary=string to send it as text'
    )
    expect(propertiesOf(spec, monetary, { id: "1", monetary: "12345678901234567890" })).toMatch(
      /^REJECTED: column "monetary" is typed number \(decided from the first 1000 rows\); "12345678901234567890" has more digits than a JSON number carries exactly — use --column monetary=string/
    )
    expect(propertiesOf(spec, { "unit price": { type: "number", basis: "declared numeric(20,0)" } }, { id: "1", "unit price": 2n ** 60n })).toBe(
      `REJECTED: column "unit price" is typed number (declared numeric(20,0)); ${2n ** 60n} has more digits than a JSON number carries exactly — use --column 'unit price=string' to send it as text`
    )
  })

  it("sends a string column's numbers as text", () => {
    expect(propertiesOf(spec, { zip: { type: "string", ...sampled() } }, { id: "1", zip: "02134" })).toEqual({ zip: "02134" })
    expect(propertiesOf(spec, { zip: { type: "string", ...sampled() } }, { id: "1", zip: "10001" })).toEqual({ zip: "10001" })
  })

  it("'*': string sends every column as text; a column declared by name keeps its type", () => {
    expect(propertiesOf({ ...spec, columns: { "*": "string" } }, monetary, { id: "1", monetary: "210.00", n: 12 })).toEqual({
      monetary: "210.00",
      n: "12"
    })
    expect(propertiesOf({ ...spec, columns: { "*": "string", n: "number" } }, undefined, { id: "1", a: "0.5", n: "12" })).toEqual({
      a: "0.5",
      n: 12
    })
  })

  it("empty: 'empty' sends an empty value as \"\" in a text column, and leaves it out of a number column", () => {
    const types: ColumnTypes = { monetary: { type: "number", ...sampled() }, note: { type: "string", ...sampled() } }
    expect(propertiesOf({ ...spec, empty: "empty" }, types, { id: "1", monetary: "", note: "", other: null })).toEqual({ note: "", other: "" })
    expect(propertiesOf({ ...spec, empty: "empty", columns: { "*": "string" } }, types, { id: "1", monetary: "", note: null })).toEqual({
      monetary: "",
      note: ""
    })
    expect(propertiesOf({ ...spec, empty: "null" }, types, { id: "1", monetary: "", note: "" })).toEqual({ monetary: null, note: null })
    expect(propertiesOf({ ...spec, empty: "omit" }, types, { id: "1", monetary: "", note: "" })).toEqual({})
  })

  it("sends a source's typed values (booleans, JSON, timestamps) as they come, and strings never as numbers", () => {
    const types: ColumnTypes = {
      flag: { type: "boolean", basis: "declared boolean" },
      doc: { type: "json", basis: "declared jsonb" },
      at: { type: "timestamp", basis: "declared timestamptz" },
      label: { type: "string", basis: "declared text" }
    }
    expect(propertiesOf(spec, types, { id: "1", flag: true, doc: { a: [1] }, at: "2026-01-01T00:00:00.123456Z", label: "12" })).toEqual({
      flag: true,
      doc: { a: [1] },
      at: "2026-01-01T00:00:00.123456Z",
      label: "12"
    })
  })

  it("writes what the object path writes, for any decided types, wildcard and empty rule", () => {
    const names = ["a", "b", "c", "d.e"] as const
    const decided = fc.constantFrom("string", "number", "boolean", "json", "timestamp")
    const rawValue = fc.oneof(
      fc.double({ noNaN: false }).map(String),
      fc.constantFrom("0", "-0", "007", "1.50", "210.00", "1e5", "12345678901234567890", "", "n/a", "true"),
      fc.constantFrom(null, undefined, true, 0.25, Number.NaN, 2n ** 60n, 12n, { x: 1 })
    )
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...names), decided),
        fc.constantFrom({}, { "*": "string" }, { "*": "number", a: "auto" }, { b: "string" }),
        fc.constantFrom("omit", "null", "empty"),
        fc.dictionary(fc.constantFrom(...names), rawValue),
        (typeNames, columns, empty, values) => {
          const types: ColumnTypes = Object.fromEntries(Object.entries(typeNames).map(([name, type]) => [name, { type, ...sampled() }]))
          const parsed = SyncSpec.parse({ ...spec, columns, empty })
          const row = { rowNumber: 1, values: { id: "u1", ...values } }
          const direct = compileMapper(parsed, library, { columnTypes: types })(row)
          const reference = compileMapper(parsed, library, { columnTypes: types, directPayloads: false })(row)
          expect(direct).toEqual(reference)
        }
      ),
      { numRuns: 400 }
    )
  })
})

describe("preview and the decided types", () => {
  it.effect("tells the type each column is sent as, and why", () =>
    Effect.gen(function* () {
      const result = yield* preview({
        spec: SyncSpec.parse({ event: "Order", customerId: "id", columns: { note: "string" } }),
        limit: 2
      }).pipe(
        Effect.provide(
          memorySource([{ id: "1", monetary: "210.00", note: "12" }], {
            columns: ["id", "monetary", "note"],
            columnTypes: {
              monetary: { type: "number", basis: "decided from the first 1 row" },
              note: { type: "number", basis: "decided from the first 1 row" }
            }
          })
        )
      )
      assert.deepStrictEqual(result.columnTypes, [
        { column: "id", type: "string", basis: "userId" },
        { column: "monetary", type: "number", basis: "decided from the first 1 row" },
        { column: "note", type: "string", basis: "declared" }
      ])
      assert.deepInclude(JSON.parse(result.messages[0]!), { properties: { monetary: 210, note: "12" } })
    })
  )

  it("columnTypeLines marks a source that decides nothing", () => {
    expect(columnTypeLines(SyncSpec.parse({ event: "E", customerId: "id" }), ["id", "x"], undefined)[1]).toEqual({
      column: "x",
      type: "auto (per value)",
      basis: "the source decides no types"
    })
  })
})
