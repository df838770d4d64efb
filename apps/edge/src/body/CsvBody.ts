import type { SourceItem } from "@tablecast/core"
import { columnNameProblems, csvParserOptions, defaultCsvDialect } from "@tablecast/source-csv/portable"
import { Parser } from "csv-parse/browser/esm"
import { RequestError } from "../RequestError.ts"
import type { RequestRows } from "../RequestRows.ts"
import { readBodyStream } from "./BodyStream.ts"
import { type BodyLimits, tooManyCells, tooManyRows } from "./BodyLimits.ts"

/** A record as csv-parse hands it out with `info: true` and `encoding: null` (fields as bytes). */
interface ParsedRecord {
  readonly record: ReadonlyArray<Uint8Array>
  readonly info: { readonly lines: number }
}

/**
 * The part of csv-parse's engine the reader drives: `Parser#api` is the transform that csv-parse's
 * own sync and stream wrappers feed (`parse(bytes, end, push, close)`, synchronous, returning its
 * error). Driving it directly avoids the browser build's bundled stream shim; its `state.record`
 * is the record being read, whose fields count against the cell limit before the record ends.
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
 * Reads a CSV request body as a stream: the first record names the columns, each later record is a
 * row numbered from 1. The parser is csv-parse with the CLI's own options (`csvParserOptions` of
 * `@tablecast/source-csv/portable`), fed the body's bytes a piece at a time; fields come out as
 * bytes and are decoded here as strict UTF-8.
 *
 * Limits hold while reading: past `MAX_ROWS` rows or `MAX_CELLS` fields (counting the record being
 * read) the read stops with 413, without reading the rest. A row with the wrong number of fields,
 * or with a field that is not UTF-8, is a malformed row (rejected with its reason naming the
 * column; reading goes on): its bytes are never replaced. A broken quote makes the rest unreadable,
 * so it is a 400 naming the line.
 */
export const readCsvBody = async (
  body: ReadableStream<Uint8Array> | null,
  input: { readonly contentLength: string | undefined; readonly limits: BodyLimits }
): Promise<RequestRows> => {
  const { limits } = input
  const engine = (new Parser({ ...csvParserOptions(defaultCsvDialect), encoding: null, info: true }) as unknown as { api: CsvEngine }).api
  // The browser build's Buffer shim: csv-parse joins a piece to the bytes left from the one before
  // with its own Buffer.concat, which takes only its own Buffers (a view, not a copy).
  const ShimBuffer = engine.state.field.buf.constructor as unknown as {
    from: (buffer: ArrayBufferLike, byteOffset: number, length: number) => Uint8Array
  }
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })
  const items: Array<SourceItem> = []
  let names: Array<string> | undefined
  let rows = 0
  let cells = 0
  let start: Uint8Array | undefined = new Uint8Array(0)

  const decodeField = (bytes: Uint8Array): string | undefined => {
    try {
      return decoder.decode(bytes)
    } catch {
      return undefined
    }
  }

  const onRecord = ({ record, info }: ParsedRecord): void => {
    if (names === undefined) {
      names = readHeader(record, decodeField)
      return
    }
    const rowNumber = ++rows
    tooManyRows(rows, limits)
    cells += record.length
    tooManyCells(cells, limits.MAX_CELLS)
    if (record.length !== names.length) {
      const reason =
        record.length === 1 && record[0]!.length === 0 ? "empty line" : `expected ${names.length} fields, found ${record.length}`
      items.push({ _tag: "Malformed", malformed: { rowNumber, line: info.lines, reason } })
      return
    }
    const values: Record<string, string> = {}
    let invalid: Array<string> | undefined
    for (let index = 0; index < names.length; index++) {
      const text = decodeField(record[index]!)
      if (text === undefined) (invalid ??= []).push(names[index]!)
      else values[names[index]!] = text
    }
    if (invalid !== undefined) {
      const reason = `invalid UTF-8 in column${invalid.length > 1 ? "s" : ""} ${invalid.map((name) => `"${name}"`).join(", ")}`
      items.push({ _tag: "Malformed", malformed: { rowNumber, line: info.lines, reason } })
      return
    }
    items.push({ rowNumber, values })
  }

  const feed = (bytes: Uint8Array | undefined, end: boolean): void => {
    const error = engine.parse(
      bytes === undefined ? undefined : ShimBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      end,
      onRecord,
      () => undefined
    )
    if (error !== undefined) {
      if (error instanceof RequestError) throw error
      const line = typeof error.lines === "number" ? ` (line ${error.lines})` : ""
      throw new RequestError(400, "body", `not readable as CSV${line}: ${firstSentence(error.message)}`)
    }
    // The record being read counts too: one record of a million empty fields stops here.
    tooManyCells(cells + engine.state.record.length, limits.MAX_CELLS)
  }

  await readBodyStream(body, {
    contentLength: input.contentLength,
    maxBytes: limits.MAX_BODY_BYTES,
    write: (piece) => {
      if (start !== undefined) {
        // A byte order mark is dropped; wait for 3 bytes to tell.
        start = concat(start, piece)
        if (start.length < BOM.length) return
        const bytes: Uint8Array = start[0] === BOM[0] && start[1] === BOM[1] && start[2] === BOM[2] ? start.subarray(3) : start
        start = undefined
        feed(bytes, false)
        return
      }
      feed(piece, false)
    }
  })
  if (start !== undefined && start.length > 0) feed(start, false)
  feed(undefined, true)
  if (names === undefined) throw new RequestError(400, "body", "the CSV is empty: it needs a header line")
  return { items, columns: names.length, names }
}

const readHeader = (record: ReadonlyArray<Uint8Array>, decode: (bytes: Uint8Array) => string | undefined): Array<string> => {
  const names = record.map((bytes, index) => {
    const name = decode(bytes)
    if (name === undefined) throw new RequestError(400, "body", `CSV header: column ${index + 1}'s name is not valid UTF-8`)
    return name.trim()
  })
  const problems = columnNameProblems(names)
  if (problems.length > 0) throw new RequestError(400, "body", `CSV header: ${problems.join("; ")}`)
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
