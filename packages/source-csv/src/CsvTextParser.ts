import type { SourceItem } from "@tablecast/core"
import { Parser } from "csv-parse/browser/esm"
import * as Schema from "effect/Schema"
import { columnNameProblems } from "./ColumnNames.ts"
import { type CsvDialect, csvParserOptions, defaultCsvDialect } from "./CsvParserOptions.ts"

/** A CSV text that cannot be read on: a header it cannot use, an empty text, a broken quote. Never quotes the data. */
export class CsvTextError extends Schema.TaggedError<CsvTextError>()("CsvTextError", {
  message: Schema.String,
  /** The line where reading stopped, when the parser knows it. */
  line: Schema.optional(Schema.Number)
}) {}

/** A record as csv-parse hands it out with `info: true` and `encoding: null` (fields as bytes). */
interface ParsedRecord {
  readonly record: ReadonlyArray<Uint8Array>
  readonly info: { readonly lines: number }
}

/**
 * The part of csv-parse's engine the parser drives: `Parser#api` is the transform that csv-parse's
 * own sync and stream wrappers feed (`parse(bytes, end, push, close)`, synchronous, returning its
 * error). Driving it directly avoids the browser build's bundled stream shim; its `state.record`
 * is the record being read.
 */
interface CsvEngine {
  readonly parse: (
    bytes: Uint8Array | undefined,
    end: boolean,
    push: (record: ParsedRecord) => void,
    close: () => void
  ) => (Error & { code?: string; lines?: number }) | undefined
  readonly state: { readonly record: ReadonlyArray<unknown>; readonly field: { readonly buf: Uint8Array } }
}

const BOM = [0xef, 0xbb, 0xbf] as const

/**
 * A portable CSV text parser (no `node:` import; it runs in a Worker): bytes in, as they arrive,
 * in pieces of any size; numbered rows out. The first record names the columns (checked as the
 * file reader checks them), each later record is a row numbered from 1. The parser is csv-parse
 * with the file reader's own options (`csvParserOptions`); fields come out as bytes and are
 * decoded here as strict UTF-8. A byte order mark is dropped.
 *
 * A record with the wrong number of fields, or with a field that is not UTF-8, is a malformed row
 * (its reason names the column; reading goes on): its bytes are never replaced. A header it cannot
 * use, or a broken quote (the rest is unreadable), throws a `CsvTextError`. What `onRow` throws
 * (a caller's limit) stops the parse and is thrown as it is.
 */
export class CsvTextParser {
  private readonly engine: CsvEngine
  private readonly toEngineBuffer: (bytes: Uint8Array) => Uint8Array
  private readonly decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })
  private header: Array<string> | undefined
  private rows = 0
  /** The first bytes, held until there are 3 to tell a byte order mark. */
  private start: Uint8Array | undefined = new Uint8Array(0)
  private thrown: { readonly error: unknown } | undefined

  constructor(
    /** Each row as it is read, with its record's field count (for a caller's cell limit). */
    private readonly onRow: (item: SourceItem, fields: number) => void,
    dialect: CsvDialect = defaultCsvDialect
  ) {
    this.engine = (new Parser({ ...csvParserOptions(dialect), encoding: null, info: true }) as unknown as { api: CsvEngine }).api
    // The browser build's Buffer shim: csv-parse joins a piece to the bytes left from the one
    // before with its own Buffer.concat, which takes only its own Buffers (a view, not a copy).
    const ShimBuffer = this.engine.state.field.buf.constructor as unknown as {
      from: (buffer: ArrayBufferLike, byteOffset: number, length: number) => Uint8Array
    }
    this.toEngineBuffer = (bytes) => ShimBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  /** The column names, once the header is read. */
  get names(): ReadonlyArray<string> | undefined {
    return this.header
  }

  /** Fields of the record being read: a caller's cell limit counts them before the record ends. */
  get fieldsInProgress(): number {
    return this.engine.state.record.length
  }

  /** Parses the next piece of the text. */
  write(piece: Uint8Array): void {
    if (this.start === undefined) {
      this.feed(piece, false)
      return
    }
    this.start = concat(this.start, piece)
    if (this.start.length < BOM.length) return
    const bytes = this.start
    this.start = undefined
    this.feed(bytes[0] === BOM[0] && bytes[1] === BOM[1] && bytes[2] === BOM[2] ? bytes.subarray(3) : bytes, false)
  }

  /** Parses what is left; returns the column names. */
  end(): ReadonlyArray<string> {
    if (this.start !== undefined && this.start.length > 0) this.feed(this.start, false)
    this.start = undefined
    this.feed(undefined, true)
    if (this.header === undefined) throw new CsvTextError({ message: "the CSV is empty: it needs a header line" })
    return this.header
  }

  private feed(bytes: Uint8Array | undefined, end: boolean): void {
    const error = this.engine.parse(
      bytes === undefined ? undefined : this.toEngineBuffer(bytes),
      end,
      (record) => this.onRecord(record),
      () => undefined
    )
    if (this.thrown !== undefined) throw this.thrown.error
    if (error !== undefined) {
      const line = typeof error.lines === "number" ? ` (line ${error.lines})` : ""
      const message = `not readable as CSV${line}: ${firstSentence(error.message)}`
      throw new CsvTextError(typeof error.lines === "number" ? { message, line: error.lines } : { message })
    }
  }

  private onRecord(parsed: ParsedRecord): void {
    try {
      this.read(parsed)
    } catch (error) {
      // csv-parse turns what a push throws into its own answer: keep it to throw as it is.
      this.thrown = { error }
      throw error
    }
  }

  private read({ record, info }: ParsedRecord): void {
    const names = this.header
    if (names === undefined) {
      this.header = readHeader(record, (bytes) => this.decode(bytes))
      return
    }
    const rowNumber = ++this.rows
    if (record.length !== names.length) {
      const reason = record.length === 1 && record[0]!.length === 0 ? "empty line" : `expected ${names.length} fields, found ${record.length}`
      this.onRow({ _tag: "Malformed", malformed: { rowNumber, line: info.lines, reason } }, record.length)
      return
    }
    const values: Record<string, string> = {}
    let invalid: Array<string> | undefined
    for (let index = 0; index < names.length; index++) {
      const text = this.decode(record[index]!)
      if (text === undefined) {
        invalid ??= []
        invalid.push(names[index]!)
      } else values[names[index]!] = text
    }
    if (invalid !== undefined) {
      const reason = `invalid UTF-8 in column${invalid.length > 1 ? "s" : ""} ${invalid.map((name) => `"${name}"`).join(", ")}`
      this.onRow({ _tag: "Malformed", malformed: { rowNumber, line: info.lines, reason } }, record.length)
      return
    }
    this.onRow({ rowNumber, values }, record.length)
  }

  private decode(bytes: Uint8Array): string | undefined {
    try {
      return this.decoder.decode(bytes)
    } catch {
      return undefined
    }
  }
}

const readHeader = (record: ReadonlyArray<Uint8Array>, decode: (bytes: Uint8Array) => string | undefined): Array<string> => {
  const names = record.map((bytes, index) => {
    const name = decode(bytes)
    if (name === undefined) throw new CsvTextError({ message: `CSV header: column ${index + 1}'s name is not valid UTF-8` })
    return name.trim()
  })
  const problems = columnNameProblems(names)
  if (problems.length > 0) throw new CsvTextError({ message: `CSV header: ${problems.join("; ")}` })
  return names
}

const concat = (a: Uint8Array, b: Uint8Array): Uint8Array => {
  const joined = new Uint8Array(a.length + b.length)
  joined.set(a, 0)
  joined.set(b, a.length)
  return joined
}

/** csv-parse's messages go on to list what it expected; the first sentence is the useful part. */
const firstSentence = (message: string): string => {
  const cut = message.indexOf(": got")
  return cut > 0 ? message.slice(0, cut) : message.slice(0, 200)
}
