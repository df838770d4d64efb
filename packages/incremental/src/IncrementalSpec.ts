import * as z from "zod"

const ColumnName = z.string().min(1, "a column name cannot be empty")

/**
 * How far a numeric column must move to count as a change. With both bounds, a change counts only
 * when it reaches both: a retrained model's jitter stays below them.
 */
export const Tolerance = z
  .object({
    /** A change of at least this much counts (e.g. 0.01 on a 0–1 score). */
    absolute: z.number().min(0).optional(),
    /** A change of at least this share of the value last sent counts (e.g. 0.05 for 5%). */
    relative: z.number().min(0).optional()
  })
  .strict()
  .refine((tolerance) => tolerance.absolute !== undefined || tolerance.relative !== undefined, {
    message: "a tolerance needs an absolute or a relative threshold"
  })
export type Tolerance = z.output<typeof Tolerance>

/** Which changes a run sends. */
export const IncrementalMode = z.enum(["added", "changed", "added-or-changed", "removed", "all"])
export type IncrementalMode = z.output<typeof IncrementalMode>

/**
 * An incremental sync: tablecast keeps, per sync, a snapshot of key → fingerprint of what Segment
 * acknowledged, and each run sends only the rows that were added, changed or removed since.
 */
export const IncrementalSpec = z
  .object({
    /** `added-or-changed` by default; `all` also sends removals. */
    mode: IncrementalMode.default("added-or-changed"),
    /** Numeric columns whose changes count only from a threshold on. */
    tolerance: z.record(ColumnName, Tolerance).default({}),
    /**
     * Columns whose changes alone never count (they are still sent with a row that changed).
     * Defaults to the sync's timestamp column: a re-score at a new time with the same values is no change.
     */
    ignore: z.array(ColumnName).optional(),
    /**
     * How a removed row is told to Segment: a track event, an identify that clears its traits, a
     * group call that clears the account's traits, or several of them.
     */
    removed: z
      .object({
        /**
         * Event of the track call sent for a removed row. Default "Segment Exited" for syncs with
         * track calls; a sync without them sends it only when named here.
         */
        event: z.string().min(1).max(200).optional(),
        /** Send an identify that sets every trait last sent to null. Default for syncs with identify calls. */
        clearTraits: z.boolean().optional(),
        /** Send a group call that sets every group trait last sent to null. Default for syncs with group calls. */
        clearGroupTraits: z.boolean().optional()
      })
      .strict()
      .optional(),
    /** Stop before sending when a larger share of the snapshot's rows changed or is removed. */
    guard: z
      .object({
        maxChangedShare: z.number().min(0).max(1).default(0.5),
        maxRemovedShare: z.number().min(0).max(1).default(0.2)
      })
      .strict()
      .default({ maxChangedShare: 0.5, maxRemovedShare: 0.2 })
  })
  .strict()

export type IncrementalSpecInput = z.input<typeof IncrementalSpec>
export type IncrementalSpec = z.output<typeof IncrementalSpec>

/** What each mode sends. */
export const sends = (mode: IncrementalMode) => ({
  added: mode === "added" || mode === "added-or-changed" || mode === "all",
  changed: mode === "changed" || mode === "added-or-changed" || mode === "all",
  removed: mode === "removed" || mode === "all"
})
