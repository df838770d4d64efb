import { isUtf8 } from "node:buffer"
import { type FileHandle, open } from "node:fs/promises"
import type { MalformedRow, SourceItem } from "@tablecast/core"
import { CsvError, type InfoRecord, Parser } from "csv-parse"
import { parse as parseSync } from "csv-parse/sync"
import { columnNameProblems } from "./ColumnNames.ts"
import { csvParserOptions } from "./CsvParserOptions.ts"
import { type CsvReadError, csvReadError, isCsvReadError } from "./CsvReadError.ts"
import type { CsvSourceOptions } from "./CsvSourceOptions.ts"
import { completeUtf8Length } from "./Utf8Boundary.ts"

/** Bytes read from the file per step: large enough for speed, small enough to keep memory flat. */
export const readSizeBytes = 64 * 1024
/** Most rows handed out per pull. */
export const maxRowsPerChunk = 512
/**
 * A single field longer than this stops the read. No Segment message can hold it (32 KB), and it is
 * almost always a quote that is never closed, which would otherwise pull the rest of the file into
 * memory.
 */
export const maxFieldBytes = 16 * 1024 * 1024

const LF = 0x0a
const CR = 0x0d
const BOM = [0xef, 0xbb, 0xbf] as const
const REPLACEMENT_CHARACTER = "\uFFFD"

/** What a test can see of a reader's work: bytes read and the most it held at once. */
export interface ReaderProbe {
  bytesRead: number
  mostBufferedRows: number
  mostHeldBytes: number
}

/** A piece of the input still needed to turn byte offsets into line numbers. */
interface HeldBytes {
  /** Offset of `bytes[0]` in the parsed input (the file without its byte order mark). */
  readonly start: number
  /** Line number of `bytes[0]`. */
  readonly line: number
  readonly bytes: Buffer
}

/** Appends to `into` the offset (from `base`) of each byte that does not start a valid UTF-8 character. */
const findInvalidUtf8 = (bytes: Buffer, base: number, into: Array<number>): void => {
  for (let index = 0; index < bytes.length; ) {
    const byte = bytes[index]!
    const length = byte < 0x80 ? 1 : byte >= 0xf8 ? 0 : byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 0
    if (length === 1) index++
    else if (length > 0 && isUtf8(bytes.subarray(index, index + length))) index += length
    else into.push(base + index++)
  }
}

/** The index of the field where csv-parse found an error (in the record being read). */
const fieldIndexOf = (error: CsvError): number => (typeof error["index"] === "number" ? error["index"] : 0)

/** Thrown from csv-parse's `on_skip` to stop a parser at once: its reading of what follows is wrong. */
const abandoned = new Error("abandoned: reading restarts on the line after a refused record")

/** A record csv-parse refused (a quote problem): reported, then reading restarts on its next line. */
interface RefusedRecord {
  /** Offset where the record starts (its first byte, past skipped blank lines). */
  readonly start: number
  readonly error: CsvError
  /** Whether csv-parse found the error on the record's first line (no line break before it). */
  readonly onFirstLine: boolean
}

/**
 * Reads one CSV file a piece at a time: each `next()` hands out the rows parsed so far, and reads
 * (64 KB) only when none are left, so the reader never runs ahead of whoever pulls it.
 *
 * csv-parse does the parsing (quotes, escapes, delimiters, CRLF/LF). This class adds: row numbers,
 * the header, field-count and UTF-8 checks, and the file line where each malformed row starts
 * (csv-parse's own line count is off by one for every CRLF inside a quoted field, so lines are
 * counted here from the bytes).
 *
 * A record csv-parse refuses (a stray quote, text after a closing quote, a quote never closed) is
 * reported as malformed at the line where it starts, and reading restarts on the next line with a
 * new parser. csv-parse would go on inside the quote it holds open, up to the next quote in the file
 * or its end, taking good lines with it; instead, each line after the bad one is read again as a
 * row of its own (the bytes since the bad record's start are still held). A quoted field that spans
 * lines and closes is not refused, and is read as before.
 */
export class CsvReader {
  static async open(options: CsvSourceOptions, probe?: ReaderProbe): Promise<CsvReader> {
    const file = await open(options.path, "r")
    try {
      // Opening a directory succeeds on Linux; reading it fails. Find out now, not mid-stream.
      const stats = await file.stat()
      if (stats.isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR" })
    } catch (error) {
      await file.close()
      throw error
    }
    return new CsvReader(file, options, probe)
  }

  private readonly file: FileHandle
  private readonly options: CsvSourceOptions
  private readonly probe: ReaderProbe | undefined
  /** The parser reading now; `undefined` between a refused record and the restart after it. */
  private parser: Parser | undefined
  /** Offset of the current parser's first byte: its own offsets are relative to it. */
  private parserStart = 0
  /** How far the input has been written to the current parser. */
  private writtenBytes = 0
  /** The record that stopped the last parser, until reading restarts after it. */
  private refused: RefusedRecord | undefined
  private names: ReadonlyArray<string> | undefined
  private rowNumber = 0
  private out: Array<SourceItem> = []
  private outIndex = 0
  private finished = false
  private failure: CsvReadError | undefined
  /** Bytes read but not yet parsed: a UTF-8 character cut by the end of a read. */
  private carry: Buffer = Buffer.alloc(0)
  private firstRead = true
  private parsedBytes = 0
  private held: Array<HeldBytes> = []
  private nextLine = 1
  /** LF, or CR for a file whose lines end with a lone CR (old Mac exports). */
  private lineBreak = LF
  /** Offsets of byte sequences that are not UTF-8, not yet behind the last record read. */
  private invalidUtf8Offsets: Array<number> = []
  /** Where the last record read ends (the next one starts there, or past blank lines). */
  private lastRecordEnd = 0
  /** csv-parse's line count (`info.lines`, which moves only at line breaks) where that record ends. */
  private lastRecordLines = 0

  private constructor(file: FileHandle, options: CsvSourceOptions, probe: ReaderProbe | undefined) {
    this.file = file
    this.options = options
    this.probe = probe
    this.names = options.header ? undefined : options.columns
    this.parser = this.createParser(0)
  }

  /** The csv-parse options this reader's parsers share (also used to check one line alone). */
  private parserOptions() {
    return csvParserOptions(this.options)
  }

  /** A parser for the input from offset `start` on. Callbacks from a parser no longer current are ignored. */
  private createParser(start: number): Parser {
    const parser: Parser = new Parser({
      ...this.parserOptions(),
      skip_records_with_error: true,
      on_record: (fields: Array<string>, info: InfoRecord) => {
        if (parser === this.parser) this.guard(() => this.onRecord(fields, start + info.bytes, info.lines))
        // Rows are kept here, in file order with the malformed ones, not in the stream's buffer.
        return null
      },
      on_skip: (error: CsvError | undefined) => {
        if (parser !== this.parser) return undefined
        this.guard(() => this.onSkip(error))
        // Throwing stops this parser in the middle of its input (csv-parse returns the error).
        if (parser !== this.parser) throw abandoned
        return undefined
      }
    })
    // Failures are also read from `parser.errored`; this listener keeps them from being thrown.
    parser.on("error", (error) => {
      if (parser === this.parser) this.failure ??= this.parseFailure(error)
    })
    this.parserStart = start
    this.writtenBytes = start
    this.lastRecordEnd = start
    // A new parser counts its first line as 1; a record after another one starts at its count + 1.
    this.lastRecordLines = 0
    return parser
  }

  /** The next rows (at most `maxRowsPerChunk`), or `undefined` at the end of the file. */
  async next(): Promise<ReadonlyArray<SourceItem> | undefined> {
    for (;;) {
      if (this.failure !== undefined) throw this.failure
      if (this.outIndex < this.out.length) return this.take()
      if (this.finished) return undefined
      await this.readMore()
    }
  }

  /** The column names: the header's (or `columns`), reading only as far as the header. */
  async columnNames(): Promise<ReadonlyArray<string>> {
    while (this.names === undefined && this.failure === undefined && !this.finished) await this.readMore()
    if (this.failure !== undefined) throw this.failure
    // `end()` sets a failure when the file ends before a header, so names are known here.
    return this.names!
  }

  async close(): Promise<void> {
    this.finished = true
    this.parser?.destroy()
    await this.file.close()
  }

  private take(): ReadonlyArray<SourceItem> {
    const end = Math.min(this.out.length, this.outIndex + maxRowsPerChunk)
    const chunk = this.out.slice(this.outIndex, end)
    if (end === this.out.length) {
      this.out = []
      this.outIndex = 0
    } else {
      this.outIndex = end
    }
    return chunk
  }

  private async readMore(): Promise<void> {
    const buffer = Buffer.allocUnsafe(readSizeBytes)
    const { bytesRead } = await this.file.read(buffer, 0, readSizeBytes, null)
    if (this.probe !== undefined) this.probe.bytesRead += bytesRead
    if (bytesRead === 0) {
      // Whatever is left of a cut character is fed as it is: invalid, and found as such.
      if (this.carry.length > 0) this.feed(this.carry)
      await this.end()
      return
    }
    let bytes = buffer.subarray(0, bytesRead)
    if (this.carry.length > 0) bytes = Buffer.concat([this.carry, bytes])
    if (this.firstRead) {
      this.firstRead = false
      if (bytes[0] === BOM[0] && bytes[1] === BOM[1] && bytes[2] === BOM[2]) bytes = bytes.subarray(3)
      if (bytes.indexOf(LF) === -1 && bytes.indexOf(CR) !== -1) this.lineBreak = CR
    }
    const complete = completeUtf8Length(bytes)
    this.carry = bytes.subarray(complete)
    this.feed(bytes.subarray(0, complete))
  }

  /** Adds one piece of the input and parses it; rows land in `out` synchronously. */
  private feed(bytes: Buffer): void {
    if (bytes.length === 0) return
    // Invalid UTF-8: csv-parse decodes each field with replacement, so bad bytes arrive as U+FFFD.
    // A U+FFFD alone does not prove them (the file may hold the character itself, validly
    // encoded), so the bytes are checked here: `isUtf8` on the whole piece (native, and exact since
    // each piece ends on a character boundary), and only a piece that fails is searched for the
    // offsets of its bad sequences. A row is malformed when its bytes hold one of them; the
    // columns named are those whose text holds U+FFFD. A valid file pays one `isUtf8` per 64 KB.
    if (!isUtf8(bytes)) findInvalidUtf8(bytes, this.parsedBytes, this.invalidUtf8Offsets)
    this.held.push({ start: this.parsedBytes, line: this.nextLine, bytes })
    this.nextLine += this.countLineBreaks(bytes, bytes.length)
    this.parsedBytes += bytes.length
    this.parse(false)
    // Later look-ups never go back before the start of the record being read (its line, and the
    // restart after it if it is refused).
    const keepFrom = this.parser === undefined ? this.refused!.start : this.lastRecordEnd
    while (this.held.length > 1 && this.held[0]!.start + this.held[0]!.bytes.length <= keepFrom) this.held.shift()
    const fieldStart = this.parser === undefined ? keepFrom : this.parserStart + this.parser.info.bytes
    if (this.parsedBytes - fieldStart > maxFieldBytes && this.failure === undefined) {
      this.failure = csvReadError({
        message:
          `a field of ${this.options.path} starting near line ${this.lineAt(fieldStart)} runs over ` +
          `${maxFieldBytes / (1024 * 1024)} MiB: most likely a quote that is never closed`,
        code: "parse",
        row: this.rowNumber + 1
      })
    }
    if (this.probe !== undefined) {
      this.probe.mostBufferedRows = Math.max(this.probe.mostBufferedRows, this.out.length - this.outIndex)
      const held = this.held.reduce((sum, piece) => sum + piece.bytes.length, 0)
      this.probe.mostHeldBytes = Math.max(this.probe.mostHeldBytes, held)
    }
  }

  /**
   * Writes the input not yet parsed to the parser. After a refused record, reports it and restarts
   * with a new parser on the line after the one where it starts, once that line's end is read
   * (`atEnd`: the file has no more bytes).
   */
  private parse(atEnd: boolean): void {
    while (this.failure === undefined) {
      if (this.parser === undefined) {
        const refused = this.refused!
        const restart = this.lineEndAfter(refused.start, atEnd)
        if (restart === undefined) return
        this.reportRefused(refused, restart)
        this.refused = undefined
        this.parser = this.createParser(restart)
      }
      if (this.writtenBytes >= this.parsedBytes) return
      this.writeHeld(this.parser)
    }
  }

  /** Writes the held bytes from `writtenBytes` on; stops early when the parser refuses a record. */
  private writeHeld(parser: Parser): void {
    for (const piece of this.held) {
      const end = piece.start + piece.bytes.length
      if (end <= this.writtenBytes) continue
      const from = this.writtenBytes - piece.start
      parser.write(from === 0 ? piece.bytes : piece.bytes.subarray(from))
      this.writtenBytes = end
      if (parser !== this.parser) return
      this.checkParser()
      if (this.failure !== undefined) return
    }
  }

  private async end(): Promise<void> {
    while (this.failure === undefined) {
      this.parse(true)
      const parser = this.parser
      if (parser === undefined || this.failure !== undefined) break
      await new Promise<void>((resolve) => parser.end(() => resolve()))
      // A quote never closed is found only here; the lines after its record are read again.
      if (parser === this.parser) {
        this.checkParser()
        break
      }
    }
    if (this.failure === undefined && this.names === undefined) {
      this.failure = csvReadError({
        message: `${this.options.path} is empty: it has no header row`,
        code: "header"
      })
    }
    this.finished = true
  }

  private checkParser(): void {
    const error = this.parser?.errored
    if (error != null && this.failure === undefined) this.failure = this.parseFailure(error)
  }

  private parseFailure(error: unknown): CsvReadError {
    if (isCsvReadError(error)) return error
    return csvReadError({
      message: `cannot parse ${this.options.path}: ${error instanceof Error ? error.message : String(error)}`,
      code: "parse"
    })
  }

  /** Runs a parser callback; a failure inside one stops the read instead of being lost in csv-parse. */
  private guard(callback: () => void): void {
    if (this.failure !== undefined) return
    try {
      callback()
    } catch (error) {
      this.failure = this.parseFailure(error)
    }
  }

  private onRecord(fields: Array<string>, end: number, lines: number): void {
    const previousEnd = this.lastRecordEnd
    this.lastRecordEnd = end
    this.lastRecordLines = lines
    const names = this.names
    if (names === undefined) {
      this.readHeader(fields)
      return
    }
    const rowNumber = ++this.rowNumber
    if (fields.length !== names.length) {
      const reason = fields.length === 1 && fields[0] === "" ? "empty line" : `expected ${names.length} fields, found ${fields.length}`
      this.malformed({ rowNumber, line: this.lineAt(this.recordStart(previousEnd)), reason })
      return
    }
    if (this.invalidUtf8Offsets.length > 0 && this.holdsInvalidUtf8(previousEnd, end)) {
      const columns = names.filter((_, index) => fields[index]!.includes(REPLACEMENT_CHARACTER))
      if (columns.length > 0) {
        const reason = `invalid UTF-8 in column${columns.length > 1 ? "s" : ""} ${columns.map((name) => `"${name}"`).join(", ")}`
        this.malformed({ rowNumber, line: this.lineAt(this.recordStart(previousEnd)), reason })
        return
      }
    }
    const values: Record<string, string> = {}
    for (let index = 0; index < names.length; index++) values[names[index]!] = fields[index]!
    this.out.push({ rowNumber, values })
  }

  /** Whether bytes `[start, end)` hold a sequence that is not UTF-8; forgets those before `start`. */
  private holdsInvalidUtf8(start: number, end: number): boolean {
    const offsets = this.invalidUtf8Offsets
    let behind = 0
    while (behind < offsets.length && offsets[behind]! < start) behind++
    if (behind > 0) offsets.splice(0, behind)
    return offsets.length > 0 && offsets[0]! < end
  }

  private readHeader(fields: Array<string>): void {
    const { columns, path } = this.options
    const header = fields.map((name) => name.trim())
    if (columns !== undefined && columns.length !== header.length) {
      throw csvReadError({
        message: `columns names ${columns.length} columns but the header row of ${path} has ${header.length}`,
        code: "header"
      })
    }
    const names = columns ?? header
    const problems = columnNameProblems(names)
    if (problems.length > 0) {
      throw csvReadError({ message: `the header row of ${path} is not usable: ${problems.join("; ")}`, code: "header" })
    }
    this.names = names
  }

  /** csv-parse refused the record being read: stop its parser; `parse` reports it and restarts. */
  private onSkip(error: CsvError | undefined): void {
    if (error === undefined) return
    const { start, blankLines } = this.skipBlankLines(this.lastRecordEnd)
    if (this.names === undefined) {
      throw csvReadError({
        message: `the header row of ${this.options.path} (line ${this.lineAt(start)}) is malformed: ${this.skipReason(error.code, fieldIndexOf(error))}`,
        code: "header"
      })
    }
    // csv-parse counts a line at each line break it passes, so the same count as at the record's
    // start means that the error is on its first line.
    const onFirstLine = error["lines"] === this.lastRecordLines + 1 + blankLines
    this.refused = { start, error, onFirstLine }
    this.parser = undefined
  }

  /**
   * Reports a refused record at the line where it starts. When csv-parse found the error past that
   * line, the reason is found by reading the line alone, so that it is true of the line whatever
   * csv-parse made of the lines after it. (On the first line, csv-parse's error is the same.)
   */
  private reportRefused(refused: RefusedRecord, restart: number): void {
    const line = this.lineAt(refused.start)
    if (refused.onFirstLine) {
      const reason = this.skipReason(refused.error.code, fieldIndexOf(refused.error))
      this.malformed({ rowNumber: ++this.rowNumber, line, reason })
      return
    }
    let lineEnd = restart
    while (lineEnd > refused.start && (this.byteAt(lineEnd - 1) === LF || this.byteAt(lineEnd - 1) === CR)) lineEnd--
    const alone = this.lineProblem(this.bytesBetween(refused.start, lineEnd))
    let reason: string
    if (alone === undefined) {
      reason = this.skipReason(refused.error.code, fieldIndexOf(refused.error))
    } else if (alone.code === "CSV_QUOTE_NOT_CLOSED" && refused.error.code !== "CSV_QUOTE_NOT_CLOSED") {
      // Read across the lines below it (as csv-parse did, up to a quote further down), the
      // record was refused too: there is no valid multi-line field here.
      reason =
        `the quoted field "${this.columnName(alone.fieldIndex)}" is not closed on its line, and read across ` +
        "the lines below it, it does not make a valid row either (a quote inside a quoted field must be doubled)"
    } else {
      reason = this.skipReason(alone.code, alone.fieldIndex)
    }
    this.malformed({ rowNumber: ++this.rowNumber, line, reason })
  }

  /** What csv-parse finds wrong with one line read alone, if anything. */
  private lineProblem(line: Buffer): { readonly code: string; readonly fieldIndex: number } | undefined {
    try {
      parseSync(line, this.parserOptions())
      return undefined
    } catch (error) {
      if (!(error instanceof CsvError)) return undefined
      return { code: error.code, fieldIndex: fieldIndexOf(error) }
    }
  }

  private columnName(fieldIndex: number): string {
    return this.names?.[fieldIndex] ?? `${fieldIndex + 1}`
  }

  private skipReason(code: string, fieldIndex: number): string {
    const column = this.columnName(fieldIndex)
    switch (code) {
      case "INVALID_OPENING_QUOTE":
        return `a quote inside the unquoted field "${column}" (a field holding quotes must be quoted, its quotes doubled)`
      case "CSV_INVALID_CLOSING_QUOTE":
        return `text follows the closing quote of field "${column}" (a quote inside a quoted field must be doubled)`
      case "CSV_QUOTE_NOT_CLOSED":
        return `the quoted field "${column}" is never closed: no quote below it closes it`
      default:
        return `cannot parse the line (${code})`
    }
  }

  private malformed(malformed: MalformedRow): void {
    this.out.push({ _tag: "Malformed", malformed })
  }

  /** Where a record starts that follows a record ending at `previousEnd`: past skipped blank lines. */
  private recordStart(previousEnd: number): number {
    return this.skipBlankLines(previousEnd).start
  }

  /** The blank lines csv-parse skips from `offset` (none when they are reported), and where they end. */
  private skipBlankLines(offset: number): { readonly start: number; readonly blankLines: number } {
    let start = offset
    let blankLines = 0
    if (this.options.skipEmptyLines) {
      for (let byte = this.byteAt(start); byte === LF || byte === CR; byte = this.byteAt(start)) {
        // CRLF is one line break.
        if (!(byte === LF && this.byteAt(start - 1) === CR && start > offset)) blankLines++
        start++
      }
    }
    return { start, blankLines }
  }

  /**
   * The offset just past the first line break (CRLF, LF or CR) at or after `start`; `undefined` when
   * it is not read yet. At the end of the file, a last line without a break ends there.
   */
  private lineEndAfter(start: number, atEnd: boolean): number | undefined {
    for (const piece of this.held) {
      const pieceEnd = piece.start + piece.bytes.length
      if (pieceEnd <= start) continue
      const from = Math.max(0, start - piece.start)
      const lf = piece.bytes.indexOf(LF, from)
      const cr = piece.bytes.indexOf(CR, from)
      if (lf === -1 && cr === -1) continue
      const at = piece.start + (lf === -1 ? cr : cr === -1 ? lf : Math.min(lf, cr))
      if (this.byteAt(at) === LF) return at + 1
      // A CR: one more byte says whether it is a CRLF.
      if (at + 1 < this.parsedBytes) return this.byteAt(at + 1) === LF ? at + 2 : at + 1
      return atEnd ? at + 1 : undefined
    }
    return atEnd ? this.parsedBytes : undefined
  }

  /** A copy of the held bytes `[start, end)`. */
  private bytesBetween(start: number, end: number): Buffer {
    const parts: Array<Buffer> = []
    for (const piece of this.held) {
      const pieceEnd = piece.start + piece.bytes.length
      if (pieceEnd <= start || piece.start >= end) continue
      parts.push(piece.bytes.subarray(Math.max(0, start - piece.start), Math.min(piece.bytes.length, end - piece.start)))
    }
    return Buffer.concat(parts)
  }

  private pieceAt(offset: number): HeldBytes | undefined {
    for (const piece of this.held) {
      if (offset >= piece.start && offset < piece.start + piece.bytes.length) return piece
    }
    return undefined
  }

  private byteAt(offset: number): number | undefined {
    const piece = this.pieceAt(offset)
    return piece === undefined ? undefined : piece.bytes[offset - piece.start]
  }

  /** Line number (from 1) of the byte at `offset` of the parsed input. */
  private lineAt(offset: number): number {
    const piece = this.pieceAt(offset)
    if (piece === undefined) return offset >= this.parsedBytes ? this.nextLine : (this.held[0]?.line ?? 1)
    return piece.line + this.countLineBreaks(piece.bytes, offset - piece.start)
  }

  private countLineBreaks(bytes: Buffer, end: number): number {
    let count = 0
    for (let at = bytes.indexOf(this.lineBreak); at !== -1 && at < end; at = bytes.indexOf(this.lineBreak, at + 1)) count++
    return count
  }
}
