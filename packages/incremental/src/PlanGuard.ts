import { type IncrementalSpec, sends } from "./IncrementalSpec.ts"

/**
 * The table judged against the snapshot, whatever the mode sends: the true shares of the
 * snapshot's rows that are added, changed and gone. A removed share over its maximum stops the
 * run in every mode (a table that lost that many rows is a broken output, whatever is sent); a
 * changed share over its maximum stops a mode that sends changes, and only warns in one that
 * does not (`added`, `removed`).
 */
export interface PlanGuard {
  /** Rows whose key the snapshot does not have, as a share of the snapshot's rows (no maximum). */
  readonly addedShare: number
  readonly changedShare: number
  readonly removedShare: number
  readonly maxChangedShare: number
  readonly maxRemovedShare: number
  /** Why the run must not send (unless forced); undefined when the guard passes. */
  readonly tripped: string | undefined
  /** A share over its maximum that does not stop this mode, said aloud. */
  readonly warning?: string
  readonly forced: boolean
}

/** What the guard judges: the run's classification against a snapshot of `size` entries. */
export interface GuardInput {
  readonly counts: { readonly added: number; readonly changed: number; readonly removed: number }
  /** Entries of the snapshot before the run. */
  readonly size: number
  readonly settings: IncrementalSpec
  readonly full: boolean
  readonly force: boolean
}

const percent = (share: number) => `${Math.round(share * 1000) / 10}%`

/** Judges the run's shares against the guard's maximums (see `PlanGuard`). */
export const judgeGuard = ({ counts, size, settings, full, force }: GuardInput): PlanGuard => {
  const sending = sends(settings.mode)
  // The table's true shares, whatever the mode sends: the guard judges the table.
  const share = (n: number) => (size === 0 ? 0 : n / size)
  const addedShare = share(counts.added)
  const changedShare = share(counts.changed)
  const removedShare = share(counts.removed)
  const { maxChangedShare, maxRemovedShare } = settings.guard
  let tripped: string | undefined
  let warning: string | undefined
  // A full run sends everything on purpose, and a first run has nothing to compare with.
  if (!full && size > 0) {
    const changed = `${counts.changed} of the snapshot's ${size} rows changed (${percent(changedShare)}), over the guard's ${percent(maxChangedShare)}`
    const removed = `${counts.removed} of the snapshot's ${size} rows are removed (${percent(removedShare)}), over the guard's ${percent(maxRemovedShare)}`
    if (changedShare > maxChangedShare && sending.changed) tripped = changed
    else if (removedShare > maxRemovedShare) {
      // Mode or not: a table that lost this many rows is the broken output the guard exists to stop.
      tripped = sending.removed ? removed : `${removed} (mode ${settings.mode} sends no removals, but the table lost them)`
    }
    if (changedShare > maxChangedShare && !sending.changed) {
      warning = `${changed}; mode ${settings.mode} sends no changes, so this does not stop the run`
    }
  }
  return {
    addedShare,
    changedShare,
    removedShare,
    maxChangedShare,
    maxRemovedShare,
    tripped,
    ...(warning === undefined ? {} : { warning }),
    forced: tripped !== undefined && force
  }
}
