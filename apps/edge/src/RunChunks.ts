import {
  type ColumnTypes,
  isMalformed,
  type MalformedRow,
  type PipelineOptions,
  repeatKey,
  type SourceItem,
  type SyncSpec,
  utf8ByteLength
} from "@tablecast/core"
import { compileMapper } from "@tablecast/core/mapper"
import type { RequestRows } from "./RequestRows.ts"
import { version } from "./Version.ts"
import type { SealedWriteKey } from "./WriteKeySeal.ts"

/**
 * One queue message of a queued run: a contiguous range of rows with what is needed to deliver
 * them. `rows[i]` is row `firstRow + i`; `null` marks a row the source refused, whose reason is in
 * `malformed`. Sent with `contentType: "json"`, so its size on the queue is its JSON size.
 */
export interface ChunkMessage {
  readonly v: 1
  readonly runId: string
  readonly chunk: number
  readonly firstRow: number
  readonly spec: SyncSpec
  readonly options: PipelineOptions
  /** A per-request write key, sealed; absent when the consumer uses the deployment's secret. */
  readonly writeKey?: SealedWriteKey
  readonly rows: ReadonlyArray<Readonly<Record<string, unknown>> | null>
  readonly malformed: ReadonlyArray<MalformedRow>
  /** The CSV header, when the rows came from one. */
  readonly columns?: ReadonlyArray<string>
  /**
   * What `auto` sends each column as, decided once for the whole request at request time: every
   * chunk of a run carries the same decision, so no chunk re-decides from its own rows.
   */
  readonly columnTypes?: ColumnTypes
  /**
   * For an unkeyed spec: how many times each content of this chunk's rows occurred in the earlier
   * chunks' rows, by `repeatKey` (16 hex digits of its first id's hash); only contents that did.
   * The chunk's mapper numbers their occurrences on from there, so identical rows in different
   * chunks get distinct messageIds — the ids one synchronous run of the request gives.
   */
  readonly repeatsBefore?: Readonly<Record<string, number>>
}

/** A chunk and its JSON size in bytes. */
export interface SizedChunk {
  readonly message: ChunkMessage
  readonly bytes: number
}

/** Turns a chunk message back into numbered source items. */
export const chunkRows = (message: ChunkMessage): RequestRows => {
  const reasons = new Map(message.malformed.map((malformed) => [malformed.rowNumber, malformed]))
  const items: Array<SourceItem> = new Array(message.rows.length)
  let columns = 0
  for (let index = 0; index < message.rows.length; index++) {
    const rowNumber = message.firstRow + index
    const values = message.rows[index]
    if (values === null || values === undefined) {
      items[index] = {
        _tag: "Malformed",
        malformed: reasons.get(rowNumber) ?? { rowNumber, reason: "the row was lost between queue and consumer" }
      }
    } else {
      items[index] = { rowNumber, values }
      const width = Object.keys(values).length
      if (width > columns) columns = width
    }
  }
  return {
    items,
    columns,
    ...(message.columns === undefined ? {} : { names: message.columns }),
    ...(message.columnTypes === undefined ? {} : { columnTypes: message.columnTypes }),
    ...(message.repeatsBefore === undefined ? {} : { repeatsBefore: repeatsBeforeOf(message.repeatsBefore) })
  }
}

const REPEAT_KEY = /^[0-9a-f]{16}$/

/** A chunk's carried counts as the mapper takes them; an entry that is not one is an internal error. */
const repeatsBeforeOf = (carried: Readonly<Record<string, number>>): ReadonlyMap<string, number> => {
  const counts = new Map<string, number>()
  for (const [key, count] of Object.entries(carried)) {
    if (!REPEAT_KEY.test(key) || !Number.isSafeInteger(count) || count < 1) {
      throw new Error(`a chunk's repeatsBefore entry is not a content key and a count: ${JSON.stringify(key)}`)
    }
    counts.set(key, count)
  }
  return counts
}

/**
 * The contents each row's messages carry (`repeatKey` of their first ids), as the consumer's
 * mapper will see them: the same spec, the request's column types, no numbering. A row the mapper
 * rejects has none (its twins are rejected alike). Undefined for a keyed spec: keyed messages keep
 * their content ids, so there is nothing to number.
 */
const contentKeysOf = (
  spec: SyncSpec,
  columnTypes: ColumnTypes | undefined
): ((item: SourceItem) => ReadonlyArray<string>) | undefined => {
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

/**
 * Splits a run's rows into queue messages of at most `maxRows` rows and `maxBytes` JSON bytes.
 * A row too large to travel alone in a message is refused here, with its reason, and still
 * accounted for: it travels as a malformed row, which the consumer's pipeline reports as rejected.
 */
export const splitIntoChunks = (input: {
  readonly runId: string
  readonly rows: RequestRows
  readonly spec: SyncSpec
  readonly options: PipelineOptions
  readonly writeKey: SealedWriteKey | undefined
  readonly maxRows: number
  readonly maxBytes: number
}): Array<SizedChunk> => {
  const base = {
    v: 1 as const,
    runId: input.runId,
    chunk: 0,
    firstRow: 0,
    spec: input.spec,
    options: input.options,
    ...(input.writeKey === undefined ? {} : { writeKey: input.writeKey }),
    ...(input.rows.names === undefined ? {} : { columns: input.rows.names }),
    ...(input.rows.columnTypes === undefined ? {} : { columnTypes: input.rows.columnTypes })
  }
  // The envelope with empty rows, plus room for the chunk and row numbers' digits.
  const baseBytes = utf8ByteLength(JSON.stringify({ ...base, rows: [], malformed: [] })) + 32
  const rowBudget = input.maxBytes - baseBytes
  if (rowBudget < 256) throw new Error("the spec and options leave no room for rows in a queue message")
  // An unkeyed run numbers repeated contents across the whole request: each chunk carries the
  // counts its contents reached in the chunks before it (counted in its bytes like its rows).
  const contentKeys = contentKeysOf(input.spec, input.rows.columnTypes)
  const rowLimit = contentKeys === undefined ? rowBudget : rowBudget - CARRY_RESERVE
  /** Occurrences of each content in the chunks closed so far. */
  const before = new Map<string, number>()
  /** Occurrences of each content in the open chunk. */
  let inChunk = new Map<string, number>()
  let carry: Record<string, number> = {}
  let carried = 0

  const chunks: Array<SizedChunk> = []
  let rows: Array<Readonly<Record<string, unknown>> | null> = []
  let malformed: Array<MalformedRow> = []
  let firstRow = 0
  let bytes = 0

  const close = (): void => {
    if (rows.length === 0) return
    const message: ChunkMessage = { ...base, chunk: chunks.length, firstRow, rows, malformed, ...(carried === 0 ? {} : { repeatsBefore: carry }) }
    chunks.push({ message, bytes: baseBytes + bytes })
    rows = []
    malformed = []
    bytes = 0
    for (const [key, count] of inChunk) before.set(key, (before.get(key) ?? 0) + count)
    inChunk = new Map()
    carry = {}
    carried = 0
  }

  /** Bytes the row's contents would add to the open chunk's `repeatsBefore`. */
  const carryBytes = (keys: ReadonlyArray<string>): number => {
    let extra = 0
    let entries = carried
    for (let index = 0; index < keys.length; index++) {
      const key = keys[index]!
      const count = before.get(key)
      if (count === undefined || Object.hasOwn(carry, key) || keys.indexOf(key) < index) continue
      extra += carryEntryBytes(count) + (entries === 0 ? CARRY_ENVELOPE_BYTES : 0)
      entries++
    }
    return extra
  }

  const add = (item: SourceItem): void => {
    let value: Readonly<Record<string, unknown>> | null
    let reject: MalformedRow | undefined
    let size: number
    let keys: ReadonlyArray<string> = []
    if (isMalformed(item)) {
      const { raw: _raw, ...kept } = item.malformed
      value = null
      reject = kept
      size = 5 + utf8ByteLength(JSON.stringify(kept)) + 1
    } else {
      value = item.values
      size = utf8ByteLength(JSON.stringify(item.values)) + 1
      if (size > rowLimit) {
        value = null
        reject = {
          rowNumber: item.rowNumber,
          reason: `the row is ${size - 1} bytes as JSON, over the ${rowLimit} bytes a queue message can carry`
        }
        size = 5 + utf8ByteLength(JSON.stringify(reject)) + 1
      } else if (contentKeys !== undefined) {
        keys = contentKeys(item)
      }
    }
    let extra = carryBytes(keys)
    if (rows.length >= input.maxRows || (rows.length > 0 && bytes + size + extra > rowBudget)) {
      close()
      extra = carryBytes(keys)
    }
    if (rows.length === 0) firstRow = isMalformed(item) ? item.malformed.rowNumber : item.rowNumber
    rows.push(value)
    if (reject !== undefined) malformed.push(reject)
    for (const key of keys) {
      const count = before.get(key)
      if (count !== undefined && !Object.hasOwn(carry, key)) {
        carry[key] = count
        carried++
      }
      inChunk.set(key, (inChunk.get(key) ?? 0) + 1)
    }
    bytes += size + extra
  }

  for (const item of input.rows.items) add(item)
  close()
  return chunks
}
