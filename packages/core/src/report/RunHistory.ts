import type { RunOutcome } from "./DeliveryReport.ts"
import type { RunRecord } from "./RunRecord.ts"

/** Which runs to list. Every field left out matches every run. */
export interface RunFilter {
  readonly sync?: string
  readonly outcome?: RunOutcome
  /** Runs started at or after this instant. */
  readonly since?: Date
  /** Runs started before this instant. */
  readonly until?: Date
  /** At most this many runs, the newest first. */
  readonly limit?: number
}

/** How many runs a history keeps: the newest `maxRuns`, none older than `maxAgeDays`. Left out: no bound of that kind. */
export interface RunRetention {
  readonly maxRuns?: number
  readonly maxAgeDays?: number
}

/** The retention a history has when none is configured: enough to look back a quarter, small enough to read in a moment. */
export const defaultRunRetention: Required<RunRetention> = { maxRuns: 1000, maxAgeDays: 90 }

/**
 * Where runs are recorded, whatever keeps them (a JSONL file, Durable Object storage). `list` gives
 * the newest run first; `append` applies the store's retention.
 */
export interface RunHistory {
  readonly append: (record: RunRecord) => Promise<void>
  readonly list: (filter?: RunFilter) => Promise<ReadonlyArray<RunRecord>>
  readonly get: (id: string) => Promise<RunRecord | undefined>
}

const startOf = (record: RunRecord): number => Date.parse(record.startedAt)

/** Whether a run is one the filter asks for (its limit aside). */
export const runMatches = (record: RunRecord, filter: RunFilter = {}): boolean =>
  (filter.sync === undefined || record.sync === filter.sync) &&
  (filter.outcome === undefined || record.outcome === filter.outcome) &&
  (filter.since === undefined || startOf(record) >= filter.since.getTime()) &&
  (filter.until === undefined || startOf(record) < filter.until.getTime())

/** Newest first: by start time, then by id (ids sort by start time, and tell apart runs of the same millisecond). */
export const newestFirst = (a: RunRecord, b: RunRecord): number => startOf(b) - startOf(a) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)

/** The runs a filter selects, newest first, at most its limit. */
export const selectRuns = (records: ReadonlyArray<RunRecord>, filter: RunFilter = {}): ReadonlyArray<RunRecord> => {
  const selected = records.filter((record) => runMatches(record, filter)).sort(newestFirst)
  return filter.limit === undefined ? selected : selected.slice(0, filter.limit)
}

/** The runs a retention keeps, in the order given: the newest `maxRuns` of those started within `maxAgeDays` of `now`. */
export const retainedRuns = (records: ReadonlyArray<RunRecord>, retention: RunRetention, now: Date): ReadonlyArray<RunRecord> => {
  const cutoff = retention.maxAgeDays === undefined ? undefined : now.getTime() - retention.maxAgeDays * 86_400_000
  const recent = cutoff === undefined ? records : records.filter((record) => !(startOf(record) < cutoff))
  if (retention.maxRuns === undefined || recent.length <= retention.maxRuns) return recent
  const kept = new Set([...recent].sort(newestFirst).slice(0, retention.maxRuns))
  return recent.filter((record) => kept.has(record))
}
