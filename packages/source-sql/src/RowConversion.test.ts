import { describe, expect, it } from "vitest"
import { ColumnConversionError, convertPage, convertRow, type ConvertingColumn } from "./RowConversion.ts"

const columns: ReadonlyArray<ConvertingColumn<string>> = [
  { name: "id", convert: Number },
  {
    name: "score",
    convert: (text) => {
      if (text === "bad") throw new Error(`cannot read ${JSON.stringify(text)}`)
      return Number(text)
    }
  },
  { name: "__proto__", convert: (text) => text }
]

describe("convertRow", () => {
  it("converts each value by its column, SQL NULL as null, a __proto__ column as a plain property", () => {
    const values = convertRow(columns, ["7", null, "polluted?"])
    expect(values).toEqual({ id: 7, score: null, ["__proto__"]: "polluted?" })
    expect(Object.getPrototypeOf(values)).toBe(Object.prototype)
    expect(Object.keys(values)).toEqual(["id", "score", "__proto__"])
    expect(convertRow(columns, ["1", undefined])).toEqual({ id: 1, score: null, ["__proto__"]: null })
  })

  it("throws a tagged ColumnConversionError naming the column whose conversion failed", () => {
    let thrown: unknown
    try {
      convertRow(columns, ["1", "bad", null])
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(ColumnConversionError)
    expect(thrown).toMatchObject({ _tag: "ColumnConversionError", column: "score", message: 'column "score": cannot read "bad"' })
  })
})

describe("convertPage", () => {
  it("numbers the rows after those before, and turns a failed conversion into a Malformed item", () => {
    expect(
      convertPage(
        columns,
        [
          ["1", "0.5", null],
          ["2", "bad", null]
        ],
        10
      )
    ).toEqual([
      { rowNumber: 11, values: { id: 1, score: 0.5, ["__proto__"]: null } },
      { _tag: "Malformed", malformed: { rowNumber: 12, reason: 'value conversion failed: column "score": cannot read "bad"' } }
    ])
    expect(convertPage(columns, [], 3)).toEqual([])
  })
})
