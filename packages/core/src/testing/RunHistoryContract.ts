import type { RunHistory, RunRetention } from "../report/RunHistory.ts"
import { newRunId, RUN_RECORD_VERSION, type RunRecord } from "../report/RunRecord.ts"

/** A fresh, empty history of the store under test, with a retention and a clock. */
export type MakeRunHistory = (options: { readonly retention?: RunRetention; readonly now?: () => Date }) => Promise<RunHistory>

/**
 * The behaviour every `RunHistory` owes `tablecast runs`, as cases that run against any store (the
 * JSONL file, SQLite, Postgres). Free of any test framework:
 *
 * ```ts
 * for (const c of runHistoryContract) it(c.name, () => c.run(makeHistory))
 * ```
 *
 * A case fails by throwing, with a message that says what differed.
 */
export interface RunHistoryContractCase {
  readonly name: string
  readonly run: (make: MakeRunHistory) => Promise<void>
}

const day = (n: number): string => `2026-11-${String(n).padStart(2, "0")}T10:00:00.000Z`

/** A record started at `startedAt`, with every optional field a store must keep as it is. */
export const contractRecord = (startedAt: string, sync = "churn", outcome: RunRecord["outcome"] = "completed"): RunRecord => ({
  version: RUN_RECORD_VERSION,
  id: newRunId(startedAt),
  sync,
  kind: "incremental",
  trigger: "cli",
  dryRun: false,
  source: "csv scores.csv",
  endpoint: "http://127.0.0.1:14318",
  startedAt,
  endedAt: startedAt,
  durationMillis: 1_234,
  outcome,
  exitCode: outcome === "completed" ? 0 : 4,
  ...(outcome === "aborted" ? { fatal: { kind: "source" as const, message: "the source went away" } } : {}),
  counts: {
    read: 3,
    mapped: 3,
    rejected: 0,
    rejectedByReason: { source: 0, validation: 0, "batch-refused": 0, undelivered: 0 },
    skipped: 0,
    built: 3,
    accepted: 3,
    refused: 0,
    undelivered: 0
  },
  requests: { total: 1, retries: 0, throttled: 0 },
  bytesSent: 300,
  throughput: { rowsPerSecond: 2.43, acceptedPerSecond: 2.43 },
  peakMemoryBytes: 98_000_000,
  settings: { batchProfile: "segment", maxRps: 50, gzip: true },
  plan: { added: 1, changed: 2, unchanged: 0, removed: 0, duplicates: 0, full: false, guardTripped: false }
})

const same = (actual: unknown, expected: unknown, what: string): void => {
  const a = JSON.stringify(actual, Object.keys(flatKeys(actual)).sort())
  const e = JSON.stringify(expected, Object.keys(flatKeys(expected)).sort())
  if (a !== e) throw new Error(`${what}: expected ${e.slice(0, 2000)}, got ${a.slice(0, 2000)}`)
}

/** Every key at any depth, so JSON.stringify's key list sorts nested objects too. */
const flatKeys = (value: unknown, keys: Record<string, true> = {}): Record<string, true> => {
  if (value !== null && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) {
      if (!Array.isArray(value)) keys[key] = true
      flatKeys(inner, keys)
    }
  }
  return keys
}

const startsOf = (runs: ReadonlyArray<RunRecord>) => runs.map((run) => run.startedAt)

export const runHistoryContract: ReadonlyArray<RunHistoryContractCase> = [
  {
    name: "an empty history lists nothing and knows no id",
    run: async (make) => {
      const history = await make({})
      same(await history.list(), [], "list()")
      same(await history.get("20261101T100000000Z-000000"), undefined, "get(unknown)")
    }
  },
  {
    name: "keeps a record as it was given (optional fields, and fields it does not know)",
    run: async (make) => {
      const history = await make({})
      const record = { ...contractRecord(day(1), "churn", "aborted"), futureField: { nested: [1, "two"] } } as RunRecord
      await history.append(record)
      same(await history.get(record.id), record, "get(id)")
      same(await history.list(), [record], "list()")
    }
  },
  {
    name: "lists newest first, filtered by sync, outcome, since, until and limit",
    run: async (make) => {
      const history = await make({})
      await history.append(contractRecord(day(2), "churn"))
      await history.append(contractRecord(day(4), "rfm", "incomplete"))
      await history.append(contractRecord(day(1), "churn"))
      await history.append(contractRecord(day(3), "churn", "incomplete"))
      same(startsOf(await history.list()), [day(4), day(3), day(2), day(1)], "list()")
      same(startsOf(await history.list({ sync: "churn" })), [day(3), day(2), day(1)], "list({ sync })")
      same(startsOf(await history.list({ outcome: "incomplete" })), [day(4), day(3)], "list({ outcome })")
      same(startsOf(await history.list({ since: new Date(day(2)), until: new Date(day(4)) })), [day(3), day(2)], "list({ since, until })")
      same(startsOf(await history.list({ sync: "churn", limit: 2 })), [day(3), day(2)], "list({ sync, limit })")
    }
  },
  {
    name: "keeps at most maxRuns: the newest",
    run: async (make) => {
      const history = await make({ retention: { maxRuns: 3 }, now: () => new Date(day(20)) })
      for (let n = 1; n <= 7; n++) await history.append(contractRecord(day(n), n % 2 === 0 ? "churn" : "rfm"))
      same(startsOf(await history.list()), [day(7), day(6), day(5)], "list() after 7 runs")
    }
  },
  {
    name: "drops runs older than maxAgeDays when a run is recorded",
    run: async (make) => {
      const history = await make({ retention: { maxAgeDays: 5 }, now: () => new Date(day(10)) })
      for (const n of [2, 4, 6, 8, 9]) await history.append(contractRecord(day(n)))
      same(startsOf(await history.list()), [day(9), day(8), day(6)], "list()")
    }
  }
]
