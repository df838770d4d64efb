import type { CategoricalProfile, NumericProfile, RunProfile, RunRecord, TimelinePoint } from "@tablecast/core"
import { QUANTILE_POINTS } from "@tablecast/core"

/** Exact quantile points of a list of numbers (what a sketch approximates). */
export const quantilesOf = (values: ReadonlyArray<number>): ReadonlyArray<number> => {
  const sorted = [...values].sort((a, b) => a - b)
  return Array.from({ length: QUANTILE_POINTS }, (_, index) => {
    const position = (index / (QUANTILE_POINTS - 1)) * (sorted.length - 1)
    const below = Math.floor(position)
    const above = Math.min(below + 1, sorted.length - 1)
    return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below)
  })
}

export const numericProfile = (path: string, values: ReadonlyArray<number>, missing = 0): NumericProfile => ({
  kind: "numeric",
  path,
  count: values.length,
  missing,
  min: Math.min(...values),
  max: Math.max(...values),
  mean: values.reduce((sum, value) => sum + value, 0) / values.length,
  quantiles: quantilesOf(values)
})

export const categoricalProfile = (path: string, values: ReadonlyArray<string>): CategoricalProfile => {
  const counts = new Map<string, number>()
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1)
  return {
    kind: "categorical",
    path,
    count: values.length,
    missing: 0,
    top: [...counts].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count),
    capped: false
  }
}

/** A seeded pseudo-random series, so a test's data is the same on every run. */
export const seeded = (seed: number) => {
  let state = seed >>> 0
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0
    return state / 0x100000000
  }
}

export const timeline = (points: number): ReadonlyArray<TimelinePoint> =>
  Array.from({ length: points }, (_, index) => ({
    atMillis: index * 500,
    rowsRead: index * 1000,
    messagesAccepted: Math.max(0, index * 1000 - 400),
    inFlight: index % 4,
    retries: Math.floor(index / 3),
    throttled: Math.floor(index / 5),
    queued: (index * 37) % 500
  }))

export const runRecord = (input: {
  readonly id: string
  readonly startedAt: string
  readonly profile?: RunProfile
  readonly rejected?: number
}): RunRecord => ({
  version: 1,
  id: input.id,
  sync: "churn-scores",
  kind: "incremental",
  trigger: "cli",
  dryRun: false,
  source: "file scores.csv",
  endpoint: "http://127.0.0.1:14318",
  startedAt: input.startedAt,
  endedAt: input.startedAt,
  durationMillis: 4000,
  outcome: "completed",
  exitCode: input.rejected === undefined ? 0 : 3,
  counts: {
    read: 4000,
    mapped: 4000 - (input.rejected ?? 0),
    rejected: input.rejected ?? 0,
    rejectedByReason: { source: 0, validation: input.rejected ?? 0, "batch-refused": 0, undelivered: 0 },
    skipped: 0,
    built: 4000,
    accepted: 4000 - (input.rejected ?? 0),
    refused: 0,
    undelivered: 0
  },
  requests: { total: 40, retries: 3, throttled: 2 },
  bytesSent: 1_234_567,
  throughput: { rowsPerSecond: 1000, acceptedPerSecond: 1000 },
  peakMemoryBytes: 90 * 1024 * 1024,
  settings: { maxInFlight: 4 },
  ...(input.profile === undefined ? {} : { profile: input.profile })
})
