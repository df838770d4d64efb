import { type CustomerMovement, MAX_PROFILED_PROPERTIES, type SourceRow } from "@tablecast/core"
import type { ChangeDetector } from "./ChangeDetector.ts"
import type { IncrementalSpec } from "./IncrementalSpec.ts"

/** The slack that keeps a move of exactly the threshold from counting despite binary fractions (0.735 - 0.725). */
const SLACK = 1e-9

interface ColumnTally {
  readonly column: string
  readonly threshold: number
  compared: number
  moved: number
}

/**
 * How far each customer's numbers moved since the values last delivered for their key, counted per
 * numeric column as the plan classifies rows: a key present in the snapshot and in this run, with
 * a number in both, is compared; it moved when the absolute difference is over the column's
 * threshold: its absolute tolerance, 0 without one (any move). The columns are those holding a
 * number in the first row compared (ids, keys, the timestamp and ignored columns left out), at
 * most MAX_PROFILED_PROPERTIES. An unchanged row's values are those last delivered (its content
 * hash is the same), so only changed rows, and rows that moved within a tolerance, are looked up.
 */
export class MovementTally {
  #columns: ReadonlyArray<ColumnTally> | undefined = undefined

  constructor(
    private readonly detector: ChangeDetector,
    private readonly settings: IncrementalSpec
  ) {}

  #columnsOf(values: SourceRow["values"]): ReadonlyArray<ColumnTally> {
    if (this.#columns === undefined) {
      this.#columns = this.detector
        .movingColumns(values)
        .filter((column) => this.detector.numberOf(column, values[column]) !== undefined)
        .slice(0, MAX_PROFILED_PROPERTIES)
        .map((column) => ({ column, threshold: this.settings.tolerance[column]?.absolute ?? 0, compared: 0, moved: 0 }))
    }
    return this.#columns
  }

  /** A row whose values are those last delivered: compared, not moved. */
  unchanged(values: SourceRow["values"]): void {
    for (const tally of this.#columnsOf(values)) {
      if (this.detector.numberOf(tally.column, values[tally.column]) !== undefined) tally.compared++
    }
  }

  /** A row against the values last delivered for its key (the snapshot's JSON text). */
  compare(previous: string, values: SourceRow["values"]): void {
    const before = JSON.parse(previous) as Record<string, unknown>
    for (const tally of this.#columnsOf(values)) {
      const from = this.detector.numberOf(tally.column, before[tally.column])
      const to = this.detector.numberOf(tally.column, values[tally.column])
      if (from === undefined || to === undefined) continue
      tally.compared++
      if (Math.abs(to - from) > tally.threshold * (1 + SLACK)) tally.moved++
    }
  }

  /** The movement per column, in the row's column order; empty until a row was compared. */
  movement(): ReadonlyArray<CustomerMovement> {
    return (this.#columns ?? []).map(({ column, compared, threshold, moved }) => ({ column, compared, threshold, moved }))
  }
}
