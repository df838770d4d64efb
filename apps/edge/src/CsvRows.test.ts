import { describe, expect, it } from "vitest"
import { parseCsvRows } from "./CsvRows.ts"
import { RequestError } from "./RequestError.ts"

const fails = (text: string): RequestError => {
  try {
    parseCsvRows(text)
  } catch (error) {
    if (error instanceof RequestError) return error
    throw error
  }
  throw new Error("expected a RequestError")
}

describe("parseCsvRows", () => {
  it("numbers data rows from 1 under the header, with a BOM, mixed line endings and quoted newlines", () => {
    const rows = parseCsvRows('\uFEFFid,score,note\r\n1,0.5,a\n\n2,0.7,"two\nlines"\r3,0.9,"say ""hi"""')
    expect(rows.names).toEqual(["id", "score", "note"])
    expect(rows.columns).toBe(3)
    expect(rows.items).toEqual([
      { rowNumber: 1, values: { id: "1", score: "0.5", note: "a" } },
      { rowNumber: 2, values: { id: "2", score: "0.7", note: "two\nlines" } },
      { rowNumber: 3, values: { id: "3", score: "0.9", note: 'say "hi"' } }
    ])
  })

  it("makes a record with the wrong number of fields a malformed row, and reads on", () => {
    const rows = parseCsvRows("id,score\n1,0.5\n2\n3,0.9,extra\n4,1")
    expect(rows.items.map((item) => ("_tag" in item ? `bad ${item.malformed.rowNumber}` : `ok ${item.rowNumber}`))).toEqual([
      "ok 1",
      "bad 2",
      "bad 3",
      "ok 4"
    ])
    expect(rows.items[1]).toEqual({
      _tag: "Malformed",
      malformed: { rowNumber: 2, line: 3, reason: "expected 2 fields, got 1" }
    })
  })

  it("refuses a broken quote with 400 naming the line, without quoting the data", () => {
    const error = fails('id,email\n1,a@example.com\n2,"secret"person@example.com\n')
    expect(error.status).toBe(400)
    expect(error.message).toMatch(/line 3/)
    expect(error.message).not.toContain("person")
  })

  it("refuses an empty body, an unnamed column and a repeated column", () => {
    expect(fails("").message).toMatch(/header/)
    expect(fails("id,,score\n1,2,3").message).toMatch(/column 2 has no name/)
    expect(fails("id,score,id\n1,2,3").message).toMatch(/"id" appears twice/)
  })
})
