import { describe, expect, it } from "vitest"
import { RequestError } from "../RequestError.ts"
import { endlessStream, streamOf, withBytes } from "../testing/bodyStream.ts"
import type { BodyLimits } from "./BodyLimits.ts"
import { readCsvBody } from "./CsvBody.ts"

const limits: BodyLimits = { MAX_BODY_BYTES: 20_000_000, MAX_ROWS: 250_000, MAX_CELLS: 1_000_000 }

const read = (body: ReadableStream<Uint8Array>, over: Partial<BodyLimits> = {}) =>
  readCsvBody(body, { contentLength: undefined, limits: { ...limits, ...over } })

const fails = async (body: ReadableStream<Uint8Array>, over: Partial<BodyLimits> = {}): Promise<RequestError> => {
  try {
    await read(body, over)
  } catch (error) {
    if (error instanceof RequestError) return error
    throw error
  }
  throw new Error("expected a RequestError")
}

const summary = (items: ReadonlyArray<any>) =>
  items.map((item) => ("_tag" in item ? `bad ${item.malformed.rowNumber}: ${item.malformed.reason}` : `ok ${item.rowNumber}`))

describe("readCsvBody", () => {
  it("numbers data rows from 1 under the header, with a BOM, mixed line endings and quoted newlines", async () => {
    const rows = await read(streamOf('\uFEFFid,score,note\r\n1,0.5,a\n\n2,0.7,"two\nlines"\r3,0.9,"say ""hi"""'))
    expect(rows.names).toEqual(["id", "score", "note"])
    expect(rows.columns).toBe(3)
    expect(rows.items).toEqual([
      { rowNumber: 1, values: { id: "1", score: "0.5", note: "a" } },
      { rowNumber: 2, values: { id: "2", score: "0.7", note: "two\nlines" } },
      { rowNumber: 3, values: { id: "3", score: "0.9", note: 'say "hi"' } }
    ])
  })

  it("reads the same rows whatever the pieces the body arrives in (a BOM, a character, a quote cut in two)", async () => {
    const bytes = new TextEncoder().encode('\uFEFFid,name\n1,"Café ""au"" lait"\n2,Zürich 🌍\n')
    const whole = await read(streamOf(bytes))
    const pieces: Array<Uint8Array> = []
    for (let at = 0; at < bytes.length; at++) pieces.push(bytes.subarray(at, at + 1))
    expect(await read(streamOf(...pieces))).toEqual(whole)
    expect(whole.items).toEqual([
      { rowNumber: 1, values: { id: "1", name: 'Café "au" lait' } },
      { rowNumber: 2, values: { id: "2", name: "Zürich 🌍" } }
    ])
  })

  it("makes a record with the wrong number of fields a malformed row, and reads on", async () => {
    const rows = await read(streamOf("id,score\n1,0.5\n2\n3,0.9,extra\n4,1"))
    expect(summary(rows.items)).toEqual(["ok 1", "bad 2: expected 2 fields, found 1", "bad 3: expected 2 fields, found 3", "ok 4"])
    expect(rows.items[1]).toEqual({ _tag: "Malformed", malformed: { rowNumber: 2, line: 3, reason: "expected 2 fields, found 1" } })
  })

  it("rejects a row holding invalid UTF-8, naming the row and the column, never replacing the bytes", async () => {
    const rows = await read(streamOf(withBytes("id,name,city\n1,ok,Paris\n2,u@@1,Lyon\n3,fine,Nice\n", [0xff, 0xfe])))
    expect(summary(rows.items)).toEqual(["ok 1", 'bad 2: invalid UTF-8 in column "name"', "ok 3"])
    expect(JSON.stringify(rows.items)).not.toContain("\uFFFD")
  })

  it("refuses a header that is not UTF-8, or whose names are empty or repeated", async () => {
    expect((await fails(streamOf(withBytes("id,n@@me\n1,2\n", [0xc3])))).message).toMatch(/column 2's name is not valid UTF-8/)
    expect((await fails(streamOf("id,,score\n1,2,3"))).message).toMatch(/column 2 has an empty name/)
    expect((await fails(streamOf("id,score,id\n1,2,3"))).message).toMatch(/"id" names both column 1 and column 3/)
    expect((await fails(streamOf(""))).message).toMatch(/header/)
  })

  it("refuses a broken quote with 400 naming the line, without quoting the data", async () => {
    const error = await fails(streamOf('id,email\n1,a@example.com\n2,"secret"person@example.com\n'))
    expect(error.status).toBe(400)
    expect(error.message).toMatch(/line 3/)
    expect(error.message).not.toContain("person")
  })

  it("stops reading at the row limit (413) instead of reading the rest of the body", async () => {
    const body = endlessStream("id,score\n", "1,0.5\n".repeat(1_000))
    const error = await fails(body.stream, { MAX_ROWS: 2_500 })
    expect(error.status).toBe(413)
    expect(error.message).toMatch(/limit of 2500 rows/)
    expect(body.pulled()).toBeLessThan(100_000)
    expect(body.cancelled()).toBe(true)
  })

  it("stops reading at the cell limit, even inside one record of endless fields", async () => {
    const body = endlessStream("id", ",".repeat(10_000))
    const error = await fails(body.stream, { MAX_CELLS: 50_000 })
    expect(error.status).toBe(413)
    expect(error.message).toMatch(/limit of 50000 cells/)
    expect(body.pulled()).toBeLessThan(200_000)
  })

  it("stops reading at the byte limit (413), whatever Content-Length said", async () => {
    const body = endlessStream("id,score\n", "1,0.5\n".repeat(1_000))
    const error = await fails(body.stream, { MAX_BODY_BYTES: 50_000 })
    expect(error.status).toBe(413)
    expect(error.message).toMatch(/limit of 50000 bytes/)
    expect(body.pulled()).toBeLessThan(60_000)
  })
})
