import { mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { isMalformed, type MalformedRow, RowSource, type SourceError, type SourceItem, type SourceRow } from "@tablecast/core"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Stream from "effect/Stream"
import fc from "fast-check"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { CsvSource } from "./index.ts"
import { readSizeBytes, type ReaderProbe } from "./CsvReader.ts"
import { readAheadChunks } from "./CsvReaderThread.ts"
import { csvRows } from "./CsvRows.ts"
import { type CsvSourceOptionsInput, parseOptions } from "./CsvSourceOptions.ts"

const dir = mkdtempSync(join(tmpdir(), "tablecast-csv-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

let fileCount = 0
const file = (content: string | Uint8Array): string => {
  const path = join(dir, `f${++fileCount}.csv`)
  writeFileSync(path, content)
  return path
}

const readAll = (options: CsvSourceOptionsInput): Promise<Array<SourceItem>> =>
  Effect.runPromise(
    Effect.gen(function* () {
      const source = yield* CsvSource.make(options)
      return yield* Stream.runCollect(source.rows)
    })
  )

/** The error an effect fails with; a test failure if it succeeds or dies. */
const failureOf = async <A>(effect: Effect.Effect<A, SourceError>): Promise<SourceError> => {
  const exit = await Effect.runPromiseExit(effect)
  if (Exit.isSuccess(exit)) throw new Error(`expected a failure, got ${JSON.stringify(exit.value)}`)
  const reason = exit.cause.reasons[0]
  if (reason?._tag !== "Fail") throw new Error(`expected a SourceError, got ${String(exit.cause)}`)
  return reason.error
}

const readFails = (options: CsvSourceOptionsInput): Promise<SourceError> =>
  failureOf(
    Effect.gen(function* () {
      const source = yield* CsvSource.make(options)
      return yield* Stream.runCollect(source.rows)
    })
  )

/** This process's open file descriptors on `path` (Linux). */
const openDescriptorsOf = (path: string): Array<string> =>
  readdirSync("/proc/self/fd").filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path
    } catch {
      return false
    }
  })

const rowsOf = (items: ReadonlyArray<SourceItem>): Array<SourceRow> => items.filter((item): item is SourceRow => !isMalformed(item))
const malformedOf = (items: ReadonlyArray<SourceItem>): Array<MalformedRow> => items.flatMap((item) => (isMalformed(item) ? [item.malformed] : []))
const valuesOf = (items: ReadonlyArray<SourceItem>) => rowsOf(items).map((row) => row.values)

describe("CsvSource: reading", () => {
  it("names columns from the header and numbers rows from 1, values as strings", async () => {
    const items = await readAll({ path: file("customer_id,iphone\n162514333,0.734\n007,\n") })
    expect(items).toEqual([
      { rowNumber: 1, values: { customer_id: "162514333", iphone: "0.734" } },
      { rowNumber: 2, values: { customer_id: "007", iphone: "" } }
    ])
  })

  it("skips a UTF-8 byte order mark", async () => {
    const items = await readAll({ path: file("\uFEFFid,name\n1,Zoë\n") })
    expect(valuesOf(items)).toEqual([{ id: "1", name: "Zoë" }])
  })

  it("reads CRLF and lone-CR line endings like LF", async () => {
    const expected = [
      { a: "1", b: "x" },
      { a: "2", b: "y" }
    ]
    expect(valuesOf(await readAll({ path: file("a,b\r\n1,x\r\n2,y\r\n") }))).toEqual(expected)
    expect(valuesOf(await readAll({ path: file("a,b\r1,x\r2,y") }))).toEqual(expected)
  })

  it("keeps delimiters, line breaks and doubled quotes inside quoted fields", async () => {
    const items = await readAll({
      path: file('id,note\n1,"a, b"\n2,"line one\nline two"\n3,"say ""hi"""\n4,"crlf\r\ninside"\r\n')
    })
    expect(valuesOf(items)).toEqual([
      { id: "1", note: "a, b" },
      { id: "2", note: "line one\nline two" },
      { id: "3", note: 'say "hi"' },
      { id: "4", note: "crlf\r\ninside" }
    ])
  })

  it("reads tab-separated files with delimiter 'tab', and other delimiters, quotes and escapes", async () => {
    expect(valuesOf(await readAll({ path: file("a\tb\n1\t2,3\n"), delimiter: "tab" }))).toEqual([{ a: "1", b: "2,3" }])
    expect(valuesOf(await readAll({ path: file("a;b\n1;2,5\n"), delimiter: ";" }))).toEqual([{ a: "1", b: "2,5" }])
    expect(valuesOf(await readAll({ path: file("a,b\n'x,y',\"z\"\n"), quote: "'" }))).toEqual([{ a: "x,y", b: '"z"' }])
    expect(valuesOf(await readAll({ path: file('a,b\n"x \\"q\\"",y\n'), escape: "\\" }))).toEqual([{ a: 'x "q"', b: "y" }])
    expect(valuesOf(await readAll({ path: file('a,b\n"x,y\n'), quote: false }))).toEqual([{ a: '"x', b: "y" }])
  })

  it("reads a file without a header with the given column names, or renames the header's", async () => {
    const noHeader = await readAll({ path: file("1,x\n2,y\n"), header: false, columns: ["id", "name"] })
    expect(noHeader).toEqual([
      { rowNumber: 1, values: { id: "1", name: "x" } },
      { rowNumber: 2, values: { id: "2", name: "y" } }
    ])
    const renamed = await readAll({ path: file("ID,Name\n1,x\n"), columns: ["id", "name"] })
    expect(valuesOf(renamed)).toEqual([{ id: "1", name: "x" }])
  })

  it("trims the header's names, and reads a file with a header only as no rows", async () => {
    expect(valuesOf(await readAll({ path: file(" id , name\n1,x\n") }))).toEqual([{ id: "1", name: "x" }])
    expect(await readAll({ path: file("id,name\n") })).toEqual([])
  })

  it("can be read again: each run of the stream reads the file anew", async () => {
    const source = await Effect.runPromise(CsvSource.make({ path: file("a\n1\n2\n") }))
    const first = await Effect.runPromise(Stream.runCollect(source.rows))
    const second = await Effect.runPromise(Stream.runCollect(source.rows))
    expect(second).toEqual(first)
    expect(first).toHaveLength(2)
  })

  it("provides the RowSource service through its layer", async () => {
    const path = file("a,b\n1,2\n")
    const program = Effect.gen(function* () {
      const source = yield* RowSource
      return { description: source.description, items: yield* Stream.runCollect(source.rows) }
    })
    const result = await Effect.runPromise(Effect.provide(program, CsvSource.layer({ path })))
    expect(result.description).toBe(`CSV file ${path}`)
    expect(valuesOf(result.items)).toEqual([{ a: "1", b: "2" }])
  })
})

describe("CsvSource: malformed lines", () => {
  it("reports a line with the wrong number of fields, with its line, and reads on", async () => {
    const items = await readAll({ path: file("id,a,b\n1,x,y\n2,x\n3,x,y\n4,x,y,z\n5,x,y\n") })
    expect(items.map((item) => (isMalformed(item) ? `!${item.malformed.rowNumber}` : item.rowNumber))).toEqual([1, "!2", 3, "!4", 5])
    expect(malformedOf(items)).toEqual([
      { rowNumber: 2, line: 3, reason: "expected 3 fields, found 2" },
      { rowNumber: 4, line: 5, reason: "expected 3 fields, found 4" }
    ])
    expect(valuesOf(items).map((values) => values["id"])).toEqual(["1", "3", "5"])
  })

  it("names the line where a malformed row starts, past blank lines and multi-line fields, LF or CRLF", async () => {
    for (const eol of ["\n", "\r\n"]) {
      const text = ["id,note", '1,"two', 'lines"', "", "", "2,x,extra", '3,"a', 'b",extra', "4,ok"].join(eol) + eol
      const items = await readAll({ path: file(text) })
      expect(malformedOf(items)).toEqual([
        { rowNumber: 2, line: 6, reason: "expected 2 fields, found 3" },
        { rowNumber: 3, line: 7, reason: "expected 2 fields, found 3" }
      ])
      expect(rowsOf(items).map((row) => row.rowNumber)).toEqual([1, 4])
    }
  })

  it("reports a stray quote once per row, and reads on", async () => {
    const items = await readAll({ path: file('id,size\n1,5"\n2,a "big" one\n3,7\n') })
    expect(malformedOf(items)).toEqual([
      { rowNumber: 1, line: 2, reason: expect.stringContaining('a quote inside the unquoted field "size"') },
      { rowNumber: 2, line: 3, reason: expect.stringContaining('a quote inside the unquoted field "size"') }
    ])
    expect(rowsOf(items)).toEqual([{ rowNumber: 3, values: { id: "3", size: "7" } }])
  })

  it("reports text after a closing quote, at the line where its row starts, and reads the next lines again", async () => {
    const items = await readAll({ path: file('id,a,b\n1,x,y\n\n2,"multi\nline"oops,y\n3,"z",y\n4,x,y\n') })
    // Read as one record, lines 4 and 5 are refused (the quote after "line" is followed by text).
    // Reading restarts on line 5, which alone holds a stray quote; row 3's line is read as it is.
    expect(malformedOf(items)).toEqual([
      {
        rowNumber: 2,
        line: 4,
        reason: expect.stringContaining('the quoted field "a" is not closed on its line, and read across the lines below it')
      },
      { rowNumber: 3, line: 5, reason: expect.stringContaining('a quote inside the unquoted field "id"') }
    ])
    expect(rowsOf(items)).toEqual([
      { rowNumber: 1, values: { id: "1", a: "x", b: "y" } },
      { rowNumber: 4, values: { id: "3", a: "z", b: "y" } },
      { rowNumber: 5, values: { id: "4", a: "x", b: "y" } }
    ])
  })

  it("reports a quote never closed at the line where its row starts, and reads the lines after it as rows", async () => {
    const items = await readAll({ path: file('id,a\n1,x\n2,"never closed\n3,y\n4,z\n') })
    expect(rowsOf(items).map((row) => row.rowNumber)).toEqual([1, 3, 4])
    expect(malformedOf(items)).toEqual([{ rowNumber: 2, line: 3, reason: 'the quoted field "a" is never closed: no quote below it closes it' }])
  })

  it("skips blank lines by default, and reports them with skipEmptyLines false", async () => {
    const text = "a,b\n1,2\n\n3,4\n"
    expect(await readAll({ path: file(text) })).toHaveLength(2)
    const items = await readAll({ path: file(text), skipEmptyLines: false })
    expect(malformedOf(items)).toEqual([{ rowNumber: 2, line: 3, reason: "empty line" }])
    expect(rowsOf(items).map((row) => row.rowNumber)).toEqual([1, 3])
  })

  it("reports a row holding bytes that are not UTF-8, naming the column", async () => {
    const bytes = Buffer.concat([
      Buffer.from("id,name,city\n1,ok,Paris\n2,"),
      Buffer.from([0x42, 0xe9, 0x61]), // "Béa" in Latin-1
      Buffer.from(",Lyon\n3,\uFFFD is a real character,Nice\n4,fine,Caen\n")
    ])
    const items = await readAll({ path: file(bytes) })
    expect(malformedOf(items)).toEqual([{ rowNumber: 2, line: 3, reason: 'invalid UTF-8 in column "name"' }])
    expect(valuesOf(items).map((values) => values["name"])).toEqual(["ok", "\uFFFD is a real character", "fine"])
  })

  it("does not mistake a character cut by a 64 KB read for invalid UTF-8", async () => {
    const names = ["Zoë", "Łukasz", "Jürgen", "李雷", "😀 smile"]
    const lines = Array.from({ length: 20_000 }, (_, index) => `${index},${names[index % names.length]}`)
    const text = `id,name\n${lines.join("\n")}\n`
    expect(Buffer.byteLength(text)).toBeGreaterThan(3 * readSizeBytes)
    const items = await readAll({ path: file(text) })
    expect(malformedOf(items)).toEqual([])
    expect(rowsOf(items)).toHaveLength(20_000)
    expect(rowsOf(items)[19_999]).toEqual({ rowNumber: 20_000, values: { id: "19999", name: "😀 smile" } })
  })
})

describe("CsvSource: reading on after a quote problem", () => {
  // Model output: row i has customer id c<i>, on line i + 1.
  const header = "customer_id,score,segment,model_version"
  const goodLine = (row: number) => `c${row},${row / 100},s${row % 7},churn-v3`
  const goodValues = (row: number) => ({ customer_id: `c${row}`, score: `${row / 100}`, segment: `s${row % 7}`, model_version: "churn-v3" })
  const csv = (rows: number, bad: ReadonlyMap<number, string>, eol = "\n") =>
    [header, ...Array.from({ length: rows }, (_, index) => bad.get(index + 1) ?? goodLine(index + 1))].join(eol) + eol
  /** Every row but the bad ones, each with its own number and values. */
  const expectGoodRows = (items: ReadonlyArray<SourceItem>, rows: number, bad: ReadonlyMap<number, string>) =>
    expect(rowsOf(items)).toEqual(
      Array.from({ length: rows }, (_, index) => index + 1)
        .filter((row) => !bad.has(row))
        .map((row) => ({ rowNumber: row, values: goodValues(row) }))
    )

  it("text after a closing quote with no quote below it: that row alone is malformed, the 40 lines after it are rows", async () => {
    const bad = new Map([[60, 'c60,0.6,"s"4,churn-v3']])
    const items = await readAll({ path: file(csv(100, bad)) })
    expect(malformedOf(items)).toEqual([
      {
        rowNumber: 60,
        line: 61,
        reason: 'text follows the closing quote of field "segment" (a quote inside a quoted field must be doubled)'
      }
    ])
    expect(rowsOf(items)).toHaveLength(99)
    expectGoodRows(items, 100, bad)
    // In file order: the malformed row between rows 59 and 61.
    expect(items.slice(58, 61).map((item) => (isMalformed(item) ? -item.malformed.rowNumber : item.rowNumber))).toEqual([59, -60, 61])
  })

  it("a quote left open, and a stray quote much further down (past 64 KB reads): both lines reported, the lines between them are rows", async () => {
    const rows = 10_000
    const bad = new Map([
      [20, 'c20,0.2,"s6,churn-v3'],
      [8_000, 'c8000,80,5" tall,churn-v3']
    ])
    const text = csv(rows, bad)
    expect(text.indexOf("c8000,")).toBeGreaterThan(2 * readSizeBytes)
    const items = await readAll({ path: file(text) })
    expect(malformedOf(items)).toEqual([
      {
        rowNumber: 20,
        line: 21,
        reason: expect.stringContaining('the quoted field "segment" is not closed on its line, and read across the lines below it')
      },
      { rowNumber: 8_000, line: 8_001, reason: expect.stringContaining('a quote inside the unquoted field "segment"') }
    ])
    expectGoodRows(items, rows, bad)
  })

  it("a quote left open, and a good quoted field further down: only the bad line is reported", async () => {
    const rows = 300
    const bad = new Map([
      [20, 'c20,0.2,"s6,churn-v3'],
      [250, 'c250,2.5,"s5",churn-v3']
    ])
    const items = await readAll({ path: file(csv(rows, bad)) })
    expect(malformedOf(items).map((malformed) => [malformed.rowNumber, malformed.line])).toEqual([[20, 21]])
    expect(rowsOf(items)).toHaveLength(rows - 1)
    expect(rowsOf(items).find((row) => row.rowNumber === 250)?.values).toEqual(goodValues(250))
  })

  it("a quote never closed, to the end of the file: its line is reported, the lines after it are rows or reported, LF or CRLF", async () => {
    for (const eol of ["\n", "\r\n"]) {
      // Line 50's doubled quote stays inside the quote opened on line 30 (a quote there followed
      // by a delimiter would close it: that is a valid multi-line field, read as one row).
      const bad = new Map([
        [30, 'c30,0.3,"s2,churn-v3'],
        [45, "c45,0.45,s3"],
        [50, 'c50,0.5,s1"",churn-v3']
      ])
      const items = await readAll({ path: file(csv(60, bad, eol)) })
      expect(malformedOf(items)).toEqual([
        { rowNumber: 30, line: 31, reason: 'the quoted field "segment" is never closed: no quote below it closes it' },
        { rowNumber: 45, line: 46, reason: "expected 4 fields, found 3" },
        { rowNumber: 50, line: 51, reason: expect.stringContaining('a quote inside the unquoted field "segment"') }
      ])
      expectGoodRows(items, 60, bad)
    }
    // On the last line, without a line break: reported, and nothing else is lost.
    const last = await readAll({ path: file(`${header}\n${goodLine(1)}\nc2,0.02,"s2,churn-v3`) })
    expect(rowsOf(last).map((row) => row.rowNumber)).toEqual([1])
    expect(malformedOf(last)).toEqual([
      { rowNumber: 2, line: 3, reason: 'the quoted field "segment" is never closed: no quote below it closes it' }
    ])
  })

  it("restarts on the next line when the bad line is cut by a 64 KB read, even between a CR and its LF", async () => {
    for (const cut of ["inside", "crlf"]) {
      const head = `${header}\r\n${goodLine(1)}\r\n`
      const badStart = 'c2,0.02,"s"2'
      const badEnd = ",churn-v3"
      // "inside": the read ends within the bad line's tail; "crlf": it ends between its CR and LF.
      const pad = readSizeBytes - head.length - badStart.length - (cut === "inside" ? 4 : badEnd.length + 1)
      const bad = `${badStart}${"x".repeat(pad)}${badEnd}`
      const text = `${head}${bad}\r\n${goodLine(3)}\r\n${goodLine(4)}\r\n`
      if (cut === "crlf") expect(text.slice(readSizeBytes - 1, readSizeBytes + 1)).toBe("\r\n")
      // With blank lines reported, a restart between the CR and the LF would show as an empty line.
      const items = await readAll({ path: file(text), skipEmptyLines: false })
      expect(malformedOf(items)).toEqual([
        { rowNumber: 2, line: 3, reason: expect.stringContaining('text follows the closing quote of field "segment"') }
      ])
      expect(rowsOf(items)).toEqual([1, 3, 4].map((row) => ({ rowNumber: row, values: goodValues(row) })))
    }
  })

  it("keeps blank lines out of line numbers, or reports them, around a bad line, with LF, CRLF or CR line breaks", async () => {
    for (const eol of ["\n", "\r\n", "\r"]) {
      const text = [header, goodLine(1), "", "", 'c2,0.02,"s"2,churn-v3', "", goodLine(3), 'c4,0.04,"s4', "", goodLine(5)].join(eol) + eol
      const skipped = await readAll({ path: file(text) })
      expect(malformedOf(skipped)).toEqual([
        { rowNumber: 2, line: 5, reason: expect.stringContaining('text follows the closing quote of field "segment"') },
        { rowNumber: 4, line: 8, reason: 'the quoted field "segment" is never closed: no quote below it closes it' }
      ])
      expect(rowsOf(skipped)).toEqual([1, 3, 5].map((row, index) => ({ rowNumber: [1, 3, 5][index]!, values: goodValues(row) })))
      const reported = await readAll({ path: file(text), skipEmptyLines: false })
      expect(malformedOf(reported).map((malformed) => [malformed.rowNumber, malformed.line, malformed.reason.slice(0, 14)])).toEqual([
        [2, 3, "empty line"],
        [3, 4, "empty line"],
        [4, 5, "text follows t"],
        [5, 6, "empty line"],
        [7, 8, "the quoted fie"],
        [8, 9, "empty line"]
      ])
      expect(rowsOf(reported)).toEqual([
        { rowNumber: 1, values: goodValues(1) },
        { rowNumber: 6, values: goodValues(3) },
        { rowNumber: 9, values: goodValues(5) }
      ])
    }
  })

  it("any mix of good lines and lines with a quote problem: each good line is its row, each bad one is reported at its line", async () => {
    // Each bad kind, and the reason it is reported with. None of them closes a quote left open above
    // it (a quote followed by a delimiter would, making a valid multi-line field).
    const kinds: Record<string, { line: (row: number) => string; reason?: string }> = {
      good: { line: goodLine },
      quoted: { line: (row) => `c${row},${row / 100},"s${row % 7}, top",churn-v3` },
      // Long lines put some of the others across a 64 KB read.
      long: { line: (row) => `c${row},${row / 100},"${"s".repeat(20_000)}",churn-v3` },
      textAfterQuote: { line: (row) => `c${row},0.1,"s"${row},churn-v3`, reason: 'text follows the closing quote of field "segment"' },
      strayQuote: { line: (row) => `c${row},0.1,5" tall,churn-v3`, reason: 'a quote inside the unquoted field "segment"' },
      doubledStrayQuote: { line: (row) => `c${row},0.1,s1"",churn-v3`, reason: 'a quote inside the unquoted field "segment"' },
      leftOpen: { line: (row) => `c${row},0.1,"s1,churn-v3`, reason: 'the quoted field "segment" is n' },
      fewerFields: { line: (row) => `c${row},0.1`, reason: "expected 4 fields, found 2" }
    }
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...Object.keys(kinds)), { minLength: 1, maxLength: 40 }),
        fc.constantFrom("\n", "\r\n", "\r"),
        async (lineKinds, eol) => {
          const lines = lineKinds.map((kind, index) => kinds[kind]!.line(index + 1))
          const items = await readAll({ path: file(`${header}${eol}${lines.join(eol)}${eol}`) })
          expect(items.map((item) => (isMalformed(item) ? item.malformed.rowNumber : item.rowNumber))).toEqual(
            lineKinds.map((_, index) => index + 1)
          )
          lineKinds.forEach((kind, index) => {
            const item = items[index]!
            const reason = kinds[kind]!.reason
            if (reason === undefined) expect(isMalformed(item) ? item.malformed : item.values.customer_id).toBe(`c${index + 1}`)
            else expect(isMalformed(item) && item.malformed).toMatchObject({ line: index + 2, reason: expect.stringContaining(reason) })
          })
        }
      ),
      { numRuns: 60 }
    )
  })

  it("reads a quoted field that spans lines and closes as before, also across a 64 KB read", async () => {
    const note = `first line\r\nsecond, "quoted" line\n${"x".repeat(readSizeBytes)}\nlast line`
    const quoted = `"${note.replaceAll('"', '""')}"`
    const text = `id,note,n\n1,${quoted},a\n2,"two\nlines",b\n3,plain,c\n`
    const items = await readAll({ path: file(text) })
    expect(malformedOf(items)).toEqual([])
    expect(items).toEqual([
      { rowNumber: 1, values: { id: "1", note, n: "a" } },
      { rowNumber: 2, values: { id: "2", note: "two\nlines", n: "b" } },
      { rowNumber: 3, values: { id: "3", note: "plain", n: "c" } }
    ])
  })
})

describe("CsvSource: line numbers and bytes across 64 KB reads", () => {
  it("names the right line for malformed rows deep in a CRLF file with multi-line fields", async () => {
    const lines = ["id,note"]
    const expected: Array<MalformedRow> = []
    for (let row = 1; row <= 12_000; row++) {
      if (row % 1_000 === 0) {
        expected.push({ rowNumber: row, line: lines.length + 1, reason: "expected 2 fields, found 3" })
        lines.push(`${row},bad,row`)
      } else if (row % 3 === 0) {
        lines.push(`${row},"first line`, `second line"`)
      } else {
        lines.push(`${row},plain`)
      }
    }
    const text = `${lines.join("\r\n")}\r\n`
    expect(text.length).toBeGreaterThan(2 * readSizeBytes)
    const items = await readAll({ path: file(text) })
    expect(malformedOf(items)).toEqual(expected)
    expect(rowsOf(items)).toHaveLength(12_000 - expected.length)
  })

  it("keeps a row holding U+FFFD itself valid when a character is cut by the read in that row", async () => {
    const head = "id,name\n1,"
    const text = `${head}${"x".repeat(readSizeBytes - 1 - head.length)}é\uFFFD\n2,ok\n`
    expect(Buffer.from(text)[readSizeBytes - 1]).toBe(0xc3) // "é" is c3 a9: cut between two reads
    const items = await readAll({ path: file(text) })
    expect(malformedOf(items)).toEqual([])
    expect(rowsOf(items).map((row) => String(row.values["name"]).slice(-2))).toEqual(["é\uFFFD", "ok"])
  })

  it("finds a bad byte at the very end of a 64 KB read", async () => {
    const head = Buffer.from("id,name\n")
    const filler = Buffer.from("1,".padEnd(readSizeBytes - head.length - 1, "x"))
    const bytes = Buffer.concat([head, filler, Buffer.from([0xe2]), Buffer.from(",y\n2,ok\n")])
    const items = await readAll({ path: file(bytes), columns: ["id", "name"] })
    expect(malformedOf(items)).toEqual([{ rowNumber: 1, line: 2, reason: "expected 2 fields, found 3" }])
    const invalidOnly = Buffer.concat([
      head,
      filler.subarray(0, filler.length - 2),
      Buffer.from("xx"),
      Buffer.from([0xe2]),
      Buffer.from("\n2,ok\n")
    ])
    expect(invalidOnly[readSizeBytes - 1]).toBe(0xe2)
    const second = await readAll({ path: file(invalidOnly) })
    expect(malformedOf(second)).toEqual([{ rowNumber: 1, line: 2, reason: 'invalid UTF-8 in column "name"' }])
    expect(valuesOf(second)).toEqual([{ id: "2", name: "ok" }])
  })
})

describe("CsvSource: errors", () => {
  it("fails with not-found naming the path of a missing file, before any row", async () => {
    const path = join(dir, "missing.csv")
    const error = await failureOf(CsvSource.make({ path }))
    expect(error).toMatchObject({ code: "not-found", message: `CSV file not found: ${path}` })
  })

  it("fails with io for a path that cannot be read as a file", async () => {
    const error = await readFails({ path: dir })
    expect(error.code).toBe("io")
    expect(error.message).toContain(dir)
  })

  it("fails with not-found when the file disappears before the stream runs", async () => {
    const path = file("a\n1\n")
    const source = await Effect.runPromise(CsvSource.make({ path }))
    rmSync(path)
    expect(await failureOf(Stream.runCollect(source.rows))).toMatchObject({ code: "not-found" })
  })

  it("fails naming duplicate and empty header names", async () => {
    const duplicate = await readFails({ path: file("id,score,score\n1,2,3\n") })
    expect(duplicate.code).toBe("header")
    expect(duplicate.message).toContain('"score" names both column 2 and column 3')
    const empty = await readFails({ path: file("id,,score\n1,2,3\n") })
    expect(empty.message).toContain("column 2 has an empty name")
  })

  it("fails for an empty file, a malformed header, or columns that do not match the header", async () => {
    expect((await readFails({ path: file("") })).message).toContain("no header row")
    expect((await readFails({ path: file('id,na"me\n1,2\n') })).message).toContain("header row")
    const mismatch = await readFails({ path: file("a,b\n1,2\n"), columns: ["x"] })
    expect(mismatch.message).toBe(`columns names 1 columns but the header row of ${join(dir, `f${fileCount}.csv`)} has 2`)
  })

  it("fails with options for options that cannot work", async () => {
    const path = file("a\n1\n")
    const noColumns = await failureOf(CsvSource.make({ path, header: false }))
    expect(noColumns.code).toBe("options")
    expect(noColumns.message).toContain("columns: a file without a header row needs `columns`")
    const latin1 = await failureOf(CsvSource.make({ path, encoding: "latin1" as "utf-8" }))
    expect(latin1.message).toContain("encoding: only UTF-8 files are read")
    const sameAsQuote = await failureOf(CsvSource.make({ path, delimiter: '"' }))
    expect(sameAsQuote.message).toContain("the quote and the delimiter must differ")
  })

  it("stops with a parse error on a field over 16 MiB instead of filling memory", async () => {
    const path = file(`a,b\n1,"${"x".repeat(17 * 1024 * 1024)}`)
    const error = await readFails({ path })
    expect(error.code).toBe("parse")
    expect(error.message).toContain("never closed")
  })
})

describe("CsvSource: columns", () => {
  it("knows the header's names before any row is read, and the given names without a header", async () => {
    const columnsOf = (options: CsvSourceOptionsInput) => Effect.runPromise(Effect.flatMap(CsvSource.make(options), (source) => source.columns!))
    expect(await columnsOf({ path: file("customer_id, score ,label\n1,2,3\n") })).toEqual(["customer_id", "score", "label"])
    expect(await columnsOf({ path: file("1,2\n"), header: false, columns: ["a", "b"] })).toEqual(["a", "b"])
    const long = `${"c".repeat(70_000)},d\n1,2\n`
    expect(await columnsOf({ path: file(long) })).toEqual(["c".repeat(70_000), "d"])
    const empty = await failureOf(Effect.flatMap(CsvSource.make({ path: file("") }), (source) => source.columns!))
    expect(empty.code).toBe("header")
  })
})

describe("CsvSource: estimate and fingerprint", () => {
  it("counts a small file's rows exactly", async () => {
    const source = await Effect.runPromise(CsvSource.make({ path: file("a,b\n1,2\n3,4\n5,6") }))
    expect(await Effect.runPromise(source.estimatedRows)).toBe(3)
    const noHeader = await Effect.runPromise(CsvSource.make({ path: file("1,2\n3,4\n"), header: false, columns: ["a", "b"] }))
    expect(await Effect.runPromise(noHeader.estimatedRows)).toBe(2)
  })

  it("keeps the fingerprint while the file is unchanged, and changes it with the content", async () => {
    const path = file("a,b\n1,2\n")
    const source = await Effect.runPromise(CsvSource.make({ path }))
    const first = await Effect.runPromise(source.fingerprint)
    expect(await Effect.runPromise(source.fingerprint)).toBe(first)
    writeFileSync(path, "a,b\n1,3\n")
    expect(await Effect.runPromise(source.fingerprint)).not.toBe(first)
  })
})

describe("CsvSource: a worker thread reads what the calling thread reads", () => {
  /** The rows, or the error, of a whole read. */
  const outcome = async (options: CsvSourceOptionsInput) => {
    const exit = await Effect.runPromiseExit(
      Effect.gen(function* () {
        const source = yield* CsvSource.make(options)
        return yield* Stream.runCollect(source.rows)
      })
    )
    if (Exit.isSuccess(exit)) return { items: exit.value }
    const reason = exit.cause.reasons[0]
    if (reason?._tag !== "Fail") throw new Error(`expected a SourceError, got ${String(exit.cause)}`)
    const { message, code, row } = reason.error
    return { error: { message, code, row } }
  }
  const invalidUtf8 = Buffer.concat([Buffer.from("id,name\n1,ok\n2,"), Buffer.from([0xff, 0xfe]), Buffer.from("x\n3,fine\n")])
  const contents: ReadonlyArray<[string, string | Uint8Array, Partial<CsvSourceOptionsInput>?]> = [
    ["quotes, CRLF and a byte order mark", '\uFEFFid,note\r\n1,"a, ""quoted"" note"\r\n2,"two\r\nlines"\r\n'],
    ["malformed lines among good ones", 'id,a,b\n1,2,3\n4,5\n6,"x"y,7\n8,9,10\n"11,12,13\n14,15,16\n'],
    ["invalid UTF-8", invalidUtf8],
    ["blank lines reported", "a,b\n1,2\n\n3,4\n", { skipEmptyLines: false }],
    ["no header, named columns", "1;2\n3;4\n", { header: false, columns: ["x", "y"], delimiter: ";" }],
    ["an empty file", ""],
    ["a header that repeats a name", "a,a\n1,2\n"],
    ["many rows, some malformed", `id,v\n${Array.from({ length: 5_000 }, (_, i) => (i % 997 === 0 ? `${i}` : `${i},v${i}`)).join("\n")}\n`]
  ]
  for (const [name, content, extra] of contents) {
    it(name, async () => {
      const path = file(content)
      const inWorker = await outcome({ path, ...extra, worker: true })
      const onThread = await outcome({ path, ...extra, worker: false })
      expect(inWorker).toEqual(onThread)
    })
  }

  it("a missing file fails the same way", async () => {
    const path = join(dir, "missing.csv")
    const inWorker = await readFails({ path, worker: true }).catch((error: unknown) => error)
    expect(inWorker).toMatchObject({ code: "not-found", message: `CSV file not found: ${path}` })
  })
})

describe.each([
  { mode: "in a worker thread", worker: true },
  { mode: "on the calling thread", worker: false }
])("CsvSource: a large file, parsed $mode", ({ worker }) => {
  const rowCount = 200_000
  let path = ""
  beforeAll(() => {
    const lines: Array<string> = ["customer_id,email,iphone,apple_watch,airpods,ipad,mac,top_product,segment,predicted_at"]
    for (let index = 0; index < rowCount; index++) {
      const score = ((index * 7919) % 1000) / 1000
      lines.push(
        `${162_000_000 + index},user${index}@example.com,${score},${score},${score},${score},${score},iphone,"champions, loyal",2025-01-01T00:00:00.000Z`
      )
    }
    path = file(`${lines.join("\n")}\n`)
  })

  it("streams every row in order while holding only a few pieces of the file", async () => {
    const probe: ReaderProbe = { bytesRead: 0, mostBufferedRows: 0, mostHeldBytes: 0 }
    const rows = csvRows(await Effect.runPromise(parseOptions({ path, worker })), probe)
    const summary = await Effect.runPromise(
      Stream.runFold(
        rows,
        () => ({ count: 0, inOrder: true, malformed: 0 }),
        (state, item) => {
          if (isMalformed(item)) return { ...state, malformed: state.malformed + 1 }
          return { ...state, count: state.count + 1, inOrder: state.inOrder && item.rowNumber === state.count + 1 }
        }
      )
    )
    expect(summary).toEqual({ count: rowCount, inOrder: true, malformed: 0 })
    // Flat memory: at most one 64 KB read's rows wait to be pulled, and two pieces are kept for line numbers.
    expect(probe.mostBufferedRows).toBeLessThan(1_000)
    expect(probe.mostHeldBytes).toBeLessThanOrEqual(2 * readSizeBytes + 4)
  })

  it("reads only the start of the file when only the first rows are taken", async () => {
    const probe: ReaderProbe = { bytesRead: 0, mostBufferedRows: 0, mostHeldBytes: 0 }
    const rows = csvRows(await Effect.runPromise(parseOptions({ path, worker })), probe)
    const first = await Effect.runPromise(Stream.runCollect(Stream.take(rows, 10)))
    expect(first.map((item) => (isMalformed(item) ? 0 : item.rowNumber))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    // On the calling thread, one read; a worker reads ahead a bounded number of chunks (one read
    // each here), not the file (about 20 MB).
    if (worker) {
      expect(probe.bytesRead).toBeGreaterThanOrEqual(readSizeBytes)
      expect(probe.bytesRead).toBeLessThanOrEqual((readAheadChunks + 2) * readSizeBytes)
    } else {
      expect(probe.bytesRead).toBe(readSizeBytes)
    }
    // The stream's end closed the file, though it was not read to its end.
    expect(openDescriptorsOf(path)).toEqual([])
  })

  it("estimates the row count from the first 64 KB", async () => {
    const source = await Effect.runPromise(CsvSource.make({ path }))
    const estimate = await Effect.runPromise(source.estimatedRows)
    expect(estimate).toBeGreaterThan(rowCount * 0.95)
    expect(estimate).toBeLessThan(rowCount * 1.05)
  })
})
