import type { ColumnTypes, MalformedRow, PipelineOptions, SourceItem, SyncSpec } from "@tablecast/core"
import type { EdgeTrackingPlan } from "./EdgeTrackingPlan.ts"
import type { RequestRows } from "./RequestRows.ts"
import type { SealedWriteKey } from "./SealedWriteKey.ts"

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
  /**
   * The run's tracking plan, decided at request time (the spec's, else the deployment's), with only the
   * rules the sync can meet (`planForSpec`): every chunk is checked against the same plan.
   */
  readonly trackingPlan?: EdgeTrackingPlan
}

/** A chunk and its JSON size in bytes. */
export interface SizedChunk {
  readonly message: ChunkMessage
  readonly bytes: number
}

/** What every chunk of a run carries whatever its rows: the run, its spec, options and key. */
export type ChunkHeader = Omit<ChunkMessage, "v" | "chunk" | "firstRow" | "rows" | "malformed" | "repeatsBefore">

/** The header of a request's chunks: its spec and options, the CSV header, the column types, the sealed key, the plan. */
export const chunkHeader = (input: {
  readonly runId: string
  readonly spec: SyncSpec
  readonly options: PipelineOptions
  readonly rows: RequestRows
  readonly writeKey: SealedWriteKey | undefined
  readonly trackingPlan?: EdgeTrackingPlan | undefined
}): ChunkHeader => ({
  runId: input.runId,
  spec: input.spec,
  options: input.options,
  ...(input.writeKey === undefined ? {} : { writeKey: input.writeKey }),
  ...(input.rows.names === undefined ? {} : { columns: input.rows.names }),
  ...(input.rows.columnTypes === undefined ? {} : { columnTypes: input.rows.columnTypes }),
  ...(input.trackingPlan === undefined ? {} : { trackingPlan: input.trackingPlan })
})

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
