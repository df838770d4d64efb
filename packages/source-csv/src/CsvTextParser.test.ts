import type { SourceItem } from "@tablecast/core"
import { describe, expect, it } from "vitest"
import { CsvTextError, CsvTextParser } from "./CsvTextParser.ts"

const encode = (text: string) => new TextEncoder().encode(text)

const parse = (pieces: ReadonlyArray<Uint8Array>) => {
  const items: Array<SourceItem> = []
  const parser = new CsvTextParser((item) => items.push(item))
  for (const piece of pieces) parser.write(piece)
  const names = parser.end()
  return { names, items }
}

const failure = (text: string | Uint8Array): CsvTextError => {
  try {
    parse([typeof text === "string" ? encode(text) : text])
  } catch (error) {
    if (error instanceof CsvTextError) return error
    throw error
  }
  throw new Error("expected a CsvTextError")
}

describe("CsvTextParser", () => {
  it("reads the same rows whatever pieces the text arrives in (a BOM, a character, a quote cut in two)", () => {
    const bytes = encode('\uFEFFid,name\r\n1,"Café ""au"" lait"\n2,"two\nlines"\r3,Zürich 🌍\n')
    const whole = parse([bytes])
    expect(whole.names).toEqual(["id", "name"])
    expect(whole.items).toEqual([
      { rowNumber: 1, values: { id: "1", name: 'Café "au" lait' } },
      { rowNumber: 2, values: { id: "2", name: "two\nlines" } },
      { rowNumber: 3, values: { id: "3", name: "Zürich 🌍" } }
    ])
    const bytewise = Array.from(bytes, (_, at) => bytes.subarray(at, at + 1))
    expect(parse(bytewise)).toEqual(whole)
  })

  it("makes a record with the wrong field count, or a field that is not UTF-8, a malformed row, and reads on", () => {
    const text = new Uint8Array([...encode("id,name\n1\n2,"), 0xff, ...encode("\n3,ok\n")])
    const { items } = parse([text])
    expect(items).toEqual([
      { _tag: "Malformed", malformed: { rowNumber: 1, line: 2, reason: "expected 2 fields, found 1" } },
      { _tag: "Malformed", malformed: { rowNumber: 2, line: 3, reason: 'invalid UTF-8 in column "name"' } },
      { rowNumber: 3, values: { id: "3", name: "ok" } }
    ])
  })

  it("refuses an empty text, a header it cannot use, and a broken quote (naming the line, not the data)", () => {
    expect(failure("").message).toBe("the CSV is empty: it needs a header line")
    expect(failure("id,,score\n").message).toMatch(/^CSV header: column 2 has an empty name/)
    expect(failure(new Uint8Array([...encode("id,n"), 0xc3, ...encode("me\n")])).message).toBe("CSV header: column 2's name is not valid UTF-8")
    const broken = failure('id,email\n1,"secret"person@example.com\n')
    expect(broken.line).toBe(2)
    expect(broken._tag).toBe("CsvTextError")
    expect(broken.message).toMatch(/^not readable as CSV \(line 2\)/)
    expect(broken.message).not.toContain("person")
  })

  it("throws what the row callback throws, as it is, and counts the record being read", () => {
    class Limit extends Error {}
    const parser = new CsvTextParser(() => {
      throw new Limit("too many rows")
    })
    expect(() => {
      parser.write(encode("id\n1\n2\n"))
      parser.end()
    }).toThrow(Limit)
    const open = new CsvTextParser(() => undefined)
    open.write(encode(`id\n${"1,".repeat(1_000)}`))
    expect(open.fieldsInProgress).toBeGreaterThanOrEqual(990)
  })
})
