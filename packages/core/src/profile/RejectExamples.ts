import type { RejectedRow, RejectStage } from "../report/RejectSink.ts"

/** Example row numbers kept per reject stage. */
export const REJECT_EXAMPLES_PER_STAGE = 5

/** The first few row numbers of each reject stage: where to look in the source. */
export class RejectExamples {
  readonly #rows: Partial<Record<RejectStage, Array<number>>> = {}

  observe(rejects: ReadonlyArray<RejectedRow>): void {
    for (const reject of rejects) {
      let rows = this.#rows[reject.stage]
      if (rows === undefined) {
        rows = []
        this.#rows[reject.stage] = rows
      }
      if (rows.length < REJECT_EXAMPLES_PER_STAGE && !rows.includes(reject.row)) rows.push(reject.row)
    }
  }

  examples(): Readonly<Partial<Record<RejectStage, ReadonlyArray<number>>>> {
    return Object.fromEntries(Object.entries(this.#rows).map(([stage, rows]) => [stage, [...rows]]))
  }
}
