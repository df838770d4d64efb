import type { RejectStage } from "./RejectSink.ts"

/** Quantile points kept per numeric property: quantiles[i] is the value at rank i / (QUANTILE_POINTS - 1). */
export const QUANTILE_POINTS = 101
export const MAX_PROFILED_PROPERTIES = 32
export const TOP_VALUES = 10

export interface NumericProfile {
  readonly kind: "numeric"
  /** Where the value sits in the message: "properties.churn_score", "traits.rfm.recency". */
  readonly path: string
  /** Messages with a number there. */
  readonly count: number
  /** Messages without (absent or null). */
  readonly missing: number
  /** Messages with a value of another kind there (text or a boolean); absent when none. */
  readonly mismatched?: number
  readonly min: number
  readonly max: number
  readonly mean: number
  /** QUANTILE_POINTS values, ascending, quantiles[0] = min, last = max; from a sketch (relative accuracy stated in docs). */
  readonly quantiles: ReadonlyArray<number>
}

export interface CategoricalProfile {
  readonly kind: "categorical"
  readonly path: string
  readonly count: number
  readonly missing: number
  /** At most TOP_VALUES, most frequent first; each value cut to 64 characters. */
  readonly top: ReadonlyArray<{ readonly value: string; readonly count: number }>
  /** True when more distinct values were seen than the bounded top-k tracks (the counts are then estimates). */
  readonly capped: boolean
}

export type PropertyProfile = NumericProfile | CategoricalProfile

/** Cumulative counts at a moment of the run. */
export interface TimelinePoint {
  /** Since the run started. */
  readonly atMillis: number
  readonly rowsRead: number
  readonly messagesAccepted: number
  readonly inFlight: number
  readonly retries: number
  /** Requests answered 429 so far. */
  readonly throttled: number
  readonly queued: number
}

export interface CustomerMovement {
  /** The numeric column compared, e.g. "churn_score". */
  readonly column: string
  /** Keys present in both the previous snapshot and this run with a number in both. */
  readonly compared: number
  readonly threshold: number
  /** Of `compared`, how many moved by more than `threshold` (absolute difference). */
  readonly moved: number
}

/** The data behind a run's report: bounded whatever the row count (see docs/operations/history.md). */
export interface RunProfile {
  /** At most MAX_PROFILED_PROPERTIES, first-seen order. */
  readonly properties: ReadonlyArray<PropertyProfile>
  readonly propertiesLeftOut: number
  /**
   * Messages mapped, and of them those whose payloads were read: all up to 10,000, then a random
   * sample (the counts are then estimates scaled to `messages`, min and max the sample's).
   */
  readonly propertySample?: { readonly messages: number; readonly profiled: number }
  /** At most 240 points. */
  readonly timeline: ReadonlyArray<TimelinePoint>
  /** Up to 5 example row numbers per reject stage that had rejects. */
  readonly rejectExamples: Readonly<Partial<Record<RejectStage, ReadonlyArray<number>>>>
  /** Keyed incremental syncs only. */
  readonly movement?: ReadonlyArray<CustomerMovement>
}
