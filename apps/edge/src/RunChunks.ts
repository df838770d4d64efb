import {
  Batcher,
  type ColumnTypes,
  isMalformed,
  type MalformedRow,
  repeatKey,
  type SourceItem,
  type SyncSpec,
  utf8ByteLength
} from "@tablecast/core"
import { compileMapper } from "@tablecast/core/mapper"
import type { ChunkHeader, ChunkMessage, SizedChunk } from "./ChunkMessage.ts"
import { version } from "./Version.ts"

/**
 * The contents each row's messages carry (`repeatKey` of their first ids), as the consumer's
 * mapper will see them: the same spec, the request's column types, no numbering. A row the mapper
 * rejects has none (its twins are rejected alike). Undefined for a keyed spec: keyed messages keep
 * their content ids, so there is nothing to number.
 */
const contentKeysOf = (spec: SyncSpec, columnTypes: ColumnTypes | undefined): ((item: SourceItem) => ReadonlyArray<string>) | undefined => {
  if (spec.key !== undefined) return undefined
  const map = compileMapper(spec, { name: "tablecast-edge", version }, { columnTypes, countRepeats: false })
  return (item) => {
    if (isMalformed(item)) return []
    const mapped = map(item)
    return mapped.ok ? mapped.messages.map((message) => repeatKey(message.messageId)) : []
  }
}

/** JSON bytes of one `"key":count,` entry of `repeatsBefore`. */
const carryEntryBytes = (count: number): number => 16 + 4 + String(count).length
/** `,"repeatsBefore":{}` around the entries. */
const CARRY_ENVELOPE_BYTES = 19
/** Room kept beside a row that travels alone for its own entries (two messages at most). */
const CARRY_RESERVE = CARRY_ENVELOPE_BYTES + 2 * carryEntryBytes(Number.MAX_SAFE_INTEGER)

/** A row as it travels in a chunk: its values (null when refused), its reason, JSON bytes and contents. */
interface QueuedRow {
  readonly rowNumber: number
  readonly value: Readonly<Record<string, unknown>> | null
  readonly reject: MalformedRow | undefined
  /** JSON bytes in the chunk's `rows` and `malformed` arrays, commas included. */
  readonly bytes: number
  readonly keys: ReadonlyArray<string>
}

/** A source item as a queued row; a row too large to travel alone in a message becomes a malformed one. */
const queuedRow = (item: SourceItem, rowLimit: number, contentKeys: ((item: SourceItem) => ReadonlyArray<string>) | undefined): QueuedRow => {
  if (isMalformed(item)) {
    const { raw: _raw, ...kept } = item.malformed
    return { rowNumber: kept.rowNumber, value: null, reject: kept, bytes: 5 + utf8ByteLength(JSON.stringify(kept)) + 1, keys: [] }
  }
  const bytes = utf8ByteLength(JSON.stringify(item.values)) + 1
  if (bytes > rowLimit) {
    const reject = {
      rowNumber: item.rowNumber,
      reason: `the row is ${bytes - 1} bytes as JSON, over the ${rowLimit} bytes a queue message can carry`
    }
    return { rowNumber: item.rowNumber, value: null, reject, bytes: 5 + utf8ByteLength(JSON.stringify(reject)) + 1, keys: [] }
  }
  return { rowNumber: item.rowNumber, value: item.values, reject: undefined, bytes, keys: contentKeys?.(item) ?? [] }
}

/**
 * Splits a run's rows into queue messages of at most `maxRows` rows and `maxBytes` JSON bytes,
 * with core's chunker. A row too large to travel alone in a message is refused here, with its
 * reason, and still accounted for: it travels as a malformed row, which the consumer's pipeline
 * reports as rejected.
 */
export const splitIntoChunks = (input: {
  readonly header: ChunkHeader
  readonly items: ReadonlyArray<SourceItem>
  readonly maxRows: number
  readonly maxBytes: number
}): Array<SizedChunk> => {
  const base = { v: 1 as const, ...input.header, chunk: 0, firstRow: 0 }
  // The envelope with empty rows, plus room for the chunk and row numbers' digits.
  const baseBytes = utf8ByteLength(JSON.stringify({ ...base, rows: [], malformed: [] })) + 32
  const rowBudget = input.maxBytes - baseBytes
  if (rowBudget < 256) throw new Error("the spec and options leave no room for rows in a queue message")
  // An unkeyed run numbers repeated contents across the whole request: each chunk carries the
  // counts its contents reached in the chunks before it (counted in its bytes like its rows).
  const contentKeys = contentKeysOf(input.header.spec, input.header.columnTypes)
  const rowLimit = contentKeys === undefined ? rowBudget : rowBudget - CARRY_RESERVE
  /** Occurrences of each content in the chunks closed so far. */
  const before = new Map<string, number>()
  /** The contents of the open chunk that occurred before it: each costs an entry of `repeatsBefore`. */
  let carriedInOpen = new Set<string>()
  let chunkCount = 0

  /** A row's bytes in the open chunk: its own, and the `repeatsBefore` entries it adds there. */
  const sizeOf = (row: QueuedRow): number => {
    let extra = 0
    let entries = carriedInOpen.size
    for (let index = 0; index < row.keys.length; index++) {
      const key = row.keys[index]!
      const count = before.get(key)
      if (count === undefined || carriedInOpen.has(key) || row.keys.indexOf(key) < index) continue
      extra += carryEntryBytes(count) + (entries === 0 ? CARRY_ENVELOPE_BYTES : 0)
      entries++
    }
    return row.bytes + extra
  }

  const close = (rows: Array<QueuedRow>, bytes: number): SizedChunk => {
    const carry: Record<string, number> = {}
    let carried = 0
    const inChunk = new Map<string, number>()
    const malformed: Array<MalformedRow> = []
    for (const row of rows) {
      if (row.reject !== undefined) malformed.push(row.reject)
      for (const key of row.keys) {
        const count = before.get(key)
        if (count !== undefined && !Object.hasOwn(carry, key)) {
          carry[key] = count
          carried++
        }
        inChunk.set(key, (inChunk.get(key) ?? 0) + 1)
      }
    }
    for (const [key, count] of inChunk) before.set(key, (before.get(key) ?? 0) + count)
    carriedInOpen = new Set()
    const message: ChunkMessage = {
      ...base,
      chunk: chunkCount++,
      firstRow: rows[0]!.rowNumber,
      rows: rows.map((row) => row.value),
      malformed,
      ...(carried === 0 ? {} : { repeatsBefore: carry })
    }
    return { message, bytes: baseBytes + bytes }
  }

  const batcher = new Batcher<QueuedRow, SizedChunk>({
    maxCount: input.maxRows,
    maxBytes: input.maxBytes,
    envelopeBytes: baseBytes,
    separatorBytes: 0,
    sizeOf,
    close
  })
  const chunks: Array<SizedChunk> = []
  for (const item of input.items) {
    const row = queuedRow(item, rowLimit, contentKeys)
    chunks.push(...batcher.add(row))
    // Still open (not closed at the count with it): its contents are now carried in the open chunk.
    if (batcher.size > 0) for (const key of row.keys) if (before.has(key)) carriedInOpen.add(key)
  }
  const last = batcher.flush()
  if (last !== undefined) chunks.push(last)
  return chunks
}
