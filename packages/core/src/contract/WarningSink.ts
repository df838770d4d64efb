import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import { OutputFailed, type Fatal } from "../report/Fatal.ts"
import type { OutputError } from "../report/RejectSink.ts"
import type { ContractViolation } from "./MessageContract.ts"

/** One violation of a warned row, as the warnings output lists it. */
export interface WarnedViolation {
  /** The rule broken, as the plan names it: `TRACK "Churn Scored" v1`. */
  readonly rule: string
  /** The property at fault, "properties.churn_score"; "" for the message itself. */
  readonly property: string
  readonly text: string
}

/** A row sent although its messages broke the contract (`warn` mode), with every violation. */
export interface WarnedRow {
  readonly row: number
  readonly violations: ReadonlyArray<WarnedViolation>
  /** The row's values, as the rejects output carries them (absent for rows built before the run). */
  readonly values?: Readonly<Record<string, unknown>>
  /** For an incremental sync's removal: the key of the row that left the table (its snapshot key, as JSON). */
  readonly removedKey?: string
}

/**
 * Receives every warned row, in the order they are decided: the CLI writes them as JSONL beside
 * the rejects. A failed write stops the run as a fatal error of kind `output`, as for rejects.
 */
export interface WarningSinkShape {
  readonly write: (rows: ReadonlyArray<WarnedRow>) => Effect.Effect<void, OutputError>
}

/** The run's warnings output; absent (the default), warned rows are only counted and sampled in the report. */
export const WarningSink = Context.Reference<WarningSinkShape | undefined>("tablecast/WarningSink", {
  defaultValue: () => undefined
})

/** A row's violations as the warnings output lists them. */
export const warnedRow = (
  row: number,
  violations: ReadonlyArray<ContractViolation>,
  values?: Readonly<Record<string, unknown>>,
  removedKey?: string
): WarnedRow => ({
  row,
  violations: violations.map((violation) => ({ rule: violation.rule, property: violation.path, text: violation.text })),
  ...(values === undefined ? {} : { values }),
  ...(removedKey === undefined ? {} : { removedKey })
})

/** Writes warned rows to the run's sink, if it has one; a sink that fails stops the run (`stop`). */
export const writeWarnings = (rows: ReadonlyArray<WarnedRow>, stop: (fatal: Fatal) => Effect.Effect<void>): Effect.Effect<void> =>
  rows.length === 0
    ? Effect.void
    : WarningSink.use((sink) =>
        sink === undefined
          ? Effect.void
          : sink.write(rows).pipe(Effect.catchTag("OutputError", (error) => stop(new OutputFailed({ message: error.message }))))
      )
