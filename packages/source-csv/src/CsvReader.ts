import { isUtf8 } from "node:buffer"
import { type FileHandle, open } from "node:fs/promises"
import type { MalformedRow, SourceItem } from "@tablecast/core"
import { SourceError } from "@tablecast/core"
import { type CsvError, type InfoRecord, Parser } from "csv-parse"
import { columnNameProblems, type CsvSourceOptions } from "./CsvSourceOptions.ts"
import { completeUtf8Length } from "./Utf8Boundary.ts"

/** Bytes read from the file per step: large enough for speed, small enough to keep memory flat. */
export const readSizeBytes = 64 * 1024
/** Most rows handed out per pull. */
export const maxRowsPerChunk = 1024
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

/** The parts of csv-parse's error context that say where an error is. */
const errorPlace = (error: CsvError): { readonly bytes: number; readonly index: number } => ({
  bytes: typeof error["bytes"] === "number" ? error["bytes"] : 0,
  index: typeof error["index"] === "number" ? error["index"] : 0
})

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

const countByte = (text: string, char: string): number => {
  let count = 0
  for (let at = text.indexOf(char); at !== -1; at = text.indexOf(char, at + 1)) count++
  return count
}

/**
 * Reads one CSV file a piece at a time: each `next()` hands out the rows parsed so far, and reads
 * (64 KB) only when none are left, so the reader never runs ahead of whoever pulls it.
 *
 * csv-parse does the parsing (quotes, escapes, delimiters, CRLF/LF); records that it refuses
 * (a stray or unclosed quote) come back through `on_skip`, and reading goes on. This class adds:
 * row numbers, the header, field-count and UTF-8 checks, and the file line where each malformed
 * row starts (csv-parse's own line count is off by one for every CRLF inside a quoted field, so
 * lines are counted here from the bytes).
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
  private readonly parser: Parser
  private names: ReadonlyArray<string> | undefined
  private rowNumber = 0
  private out: Array<SourceItem> = []
  private outIndex = 0
  private finished = false
  private failure: SourceError | undefined
  /** Bytes read but not yet parsed: a UTF-8 character cut by the end of a read. */
  private carry: Buffer = Buffer.alloc(0)
  private firstRead = true
  private parsedBytes = 0
  private held: Array<HeldBytes> = []
  private nextLine = 1
  /** LF, or CR for a file whose lines end with a lone CR (old Mac exports). */
  private lineBreak = LF
  private lineBreakChar = "\n"
  /** Offsets of byte sequences that are not UTF-8, not yet behind the last record read. */
  private invalidUtf8Offsets: Array<number> = []
  /** Where the last record csv-parse returned ends (the next one starts there, or later). */
  private lastRecordEnd = 0
  /** csv-parse's array of the record being parsed: it can report several errors for one record. */
  private lastSkippedRecord: unknown

  private constructor(file: FileHandle, options: CsvSourceOptions, probe: ReaderProbe | undefined) {
    this.file = file
    this.options = options
    this.probe = probe
    this.names = options.header ? undefined : options.columns
    this.parser = new Parser({
      delimiter: options.delimiter,
      quote: options.quote === false ? null : options.quote,
      escape: options.escape ?? (options.quote === false ? null : options.quote),
      // The byte order mark is removed before parsing, so that byte offsets are the parser's own.
      bom: false,
      skip_empty_lines: options.skipEmptyLines,
      // Any of CRLF, LF or CR ends a record, even mixed in one file (csv-parse would otherwise take
      // the first one it meets as the only one).
      record_delimiter: ["\r\n", "\n", "\r"],
      // Field counts are checked here, against the header, for a reason that names both counts.
      relax_column_count: true,
      skip_records_with_error: true,
      on_record: (fields: Array<string>, info: InfoRecord) => {
        this.guard(() => this.onRecord(fields, info))
        // Rows are kept here, in file order with the malformed ones, not in the stream's buffer.
        return null
      },
      on_skip: (error: CsvError | undefined) => {
        this.guard(() => this.onSkip(error))
        return undefined
      }
    })
    // Failures are also read from `parser.errored`; this listener keeps them from being thrown.
    this.parser.on("error", (error) => {
      this.failure ??= this.parseFailure(error)
    })
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
    this.parser.destroy()
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
      if (bytes.indexOf(LF) === -1 && bytes.indexOf(CR) !== -1) {
        this.lineBreak = CR
        this.lineBreakChar = "\r"
      }
    }
    const complete = completeUtf8Length(bytes)
    this.carry = bytes.subarray(complete)
    this.feed(bytes.subarray(0, complete))
  }

  /** Parses one piece of the input; rows land in `out` synchronously. */
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
    this.parser.write(bytes)
    this.checkParser()
    // Later line look-ups never go back before the parser's last field or record boundary.
    const boundary = this.parser.info.bytes
    while (this.held.length > 1 && this.held[0]!.start + this.held[0]!.bytes.length <= boundary) this.held.shift()
    if (this.parsedBytes - boundary > maxFieldBytes && this.failure === undefined) {
      this.failure = new SourceError({
        message:
          `a field of ${this.options.path} starting near line ${this.lineAt(boundary)} runs over ` +
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

  private async end(): Promise<void> {
    if (this.failure === undefined) {
      await new Promise<void>((resolve) => this.parser.end(() => resolve()))
      this.checkParser()
    }
    if (this.failure === undefined && this.names === undefined) {
      this.failure = new SourceError({
        message: `${this.options.path} is empty: it has no header row`,
        code: "header"
      })
    }
    this.finished = true
  }

  private checkParser(): void {
    const error = this.parser.errored
    if (error !== null && this.failure === undefined) this.failure = this.parseFailure(error)
  }

  private parseFailure(error: unknown): SourceError {
    if (error instanceof SourceError) return error
    return new SourceError({
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

  private onRecord(fields: Array<string>, info: InfoRecord): void {
    const start = this.lastRecordEnd
    this.lastRecordEnd = info.bytes
    const names = this.names
    if (names === undefined) return this.readHeader(fields)
    const rowNumber = ++this.rowNumber
    if (fields.length !== names.length) {
      const reason =
        fields.length === 1 && fields[0] === ""
          ? "empty line"
          : `expected ${names.length} fields, found ${fields.length}`
      return this.malformed({ rowNumber, line: this.recordStartLine(fields, info.bytes), reason })
    }
    if (this.invalidUtf8Offsets.length > 0 && this.holdsInvalidUtf8(start, info.bytes)) {
      const columns = names.filter((_, index) => fields[index]!.includes(REPLACEMENT_CHARACTER))
      if (columns.length > 0) {
        const reason = `invalid UTF-8 in column${columns.length > 1 ? "s" : ""} ${columns.map((name) => `"${name}"`).join(", ")}`
        return this.malformed({ rowNumber, line: this.recordStartLine(fields, info.bytes), reason })
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
      throw new SourceError({
        message: `columns names ${columns.length} columns but the header row of ${path} has ${header.length}`,
        code: "header"
      })
    }
    const names = columns ?? header
    const problems = columnNameProblems(names)
    if (problems.length > 0) {
      throw new SourceError({ message: `the header row of ${path} is not usable: ${problems.join("; ")}`, code: "header" })
    }
    this.names = names
  }

  private onSkip(error: CsvError | undefined): void {
    if (error === undefined) return
    // csv-parse reports each error as it finds it, so a record with two stray quotes is reported
    // twice. Its parser state (public on the stream) holds the fields of the record being read in
    // an array that is new for each record: the same array means the same record.
    const record = (this.parser as unknown as { readonly state?: { readonly record?: unknown } }).state?.record
    if (record !== undefined && record === this.lastSkippedRecord) return
    this.lastSkippedRecord = record
    const completed: ReadonlyArray<unknown> = Array.isArray(record) ? record : []
    const line = this.skippedRecordStartLine(error, completed)
    const reason = this.skipReason(error, completed.length)
    if (this.names === undefined) {
      throw new SourceError({
        message: `the header row of ${this.options.path} (line ${line}) is malformed: ${reason}`,
        code: "header"
      })
    }
    this.malformed({ rowNumber: ++this.rowNumber, line, reason })
  }

  private skipReason(error: CsvError, fieldIndex: number): string {
    const column = this.names?.[fieldIndex] ?? `${fieldIndex + 1}`
    switch (error.code) {
      case "INVALID_OPENING_QUOTE":
        return `a quote inside the unquoted field "${column}" (a field holding quotes must be quoted, its quotes doubled)`
      case "CSV_INVALID_CLOSING_QUOTE":
        return (
          `text follows the closing quote of field "${column}" (a quote inside a quoted field must be doubled); ` +
          "the field stays open up to the next quote, so the lines up to there belong to this row"
        )
      case "CSV_QUOTE_NOT_CLOSED":
        return `the quoted field "${column}" is never closed: it runs to the end of the file`
      default:
        return error.message
    }
  }

  private malformed(malformed: MalformedRow): void {
    this.out.push({ _tag: "Malformed", malformed })
  }

  /** Line where a record csv-parse returned starts: its last line less the line breaks inside its fields. */
  private recordStartLine(fields: ReadonlyArray<string>, endOffset: number): number {
    let breaks = 0
    for (const field of fields) breaks += countByte(field, this.lineBreakChar)
    return this.lineAt(endOffset - 1) - breaks
  }

  /** Line where a record csv-parse refused starts, from where the error was found. */
  private skippedRecordStartLine(error: CsvError, completed: ReadonlyArray<unknown>): number {
    const { bytes, index } = errorPlace(error)
    if (index === 0 || completed.length === 0) {
      // The error is in the first field: `bytes` is where the previous record ended. Blank lines
      // skipped since then are line breaks only.
      let offset = bytes
      while (this.byteAt(offset) === LF || this.byteAt(offset) === CR) offset++
      return this.lineAt(offset)
    }
    // `bytes` is the delimiter before the field at fault; the fields before it may span lines.
    let breaks = 0
    for (const field of completed) if (typeof field === "string") breaks += countByte(field, this.lineBreakChar)
    return this.lineAt(bytes) - breaks
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
