import { type ColumnTypes, isMalformed, type MalformedRow, type PipelineOptions, type SourceItem, type SyncSpec, utf8ByteLength } from "@tablecast/core"
import type { RequestRows } from "./RequestRows.ts"
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
    ...(message.columnTypes === undefined ? {} : { columnTypes: message.columnTypes })
  }
}

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

  const chunks: Array<SizedChunk> = []
  let rows: Array<Readonly<Record<string, unknown>> | null> = []
  let malformed: Array<MalformedRow> = []
  let firstRow = 0
  let bytes = 0

  const close = (): void => {
    if (rows.length === 0) return
    chunks.push({ message: { ...base, chunk: chunks.length, firstRow, rows, malformed }, bytes: baseBytes + bytes })
    rows = []
    malformed = []
    bytes = 0
  }

  const add = (item: SourceItem): void => {
    let value: Readonly<Record<string, unknown>> | null
    let reject: MalformedRow | undefined
    let size: number
    if (isMalformed(item)) {
      const { raw: _raw, ...kept } = item.malformed
      value = null
      reject = kept
      size = 5 + utf8ByteLength(JSON.stringify(kept)) + 1
    } else {
      value = item.values
      size = utf8ByteLength(JSON.stringify(item.values)) + 1
      if (size > rowBudget) {
        value = null
        reject = {
          rowNumber: item.rowNumber,
          reason: `the row is ${size - 1} bytes as JSON, over the ${rowBudget} bytes a queue message can carry`
        }
        size = 5 + utf8ByteLength(JSON.stringify(reject)) + 1
      }
    }
    if (rows.length >= input.maxRows || (rows.length > 0 && bytes + size > rowBudget)) close()
    if (rows.length === 0) firstRow = isMalformed(item) ? item.malformed.rowNumber : item.rowNumber
    rows.push(value)
    if (reject !== undefined) malformed.push(reject)
    bytes += size
  }

  for (const item of input.rows.items) add(item)
  close()
  return chunks
}
