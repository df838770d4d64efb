import { flagError } from "@tablecast/config"
import type { RunFilter, RunOutcome } from "@tablecast/core"

const RELATIVE = /^(\d+)([mhdw])$/
const UNIT_MILLIS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const

/**
 * The instant a date flag names: an ISO date (`2026-12-01`, midnight UTC), an ISO date and time,
 * or a time ago (`30m`, `12h`, `7d`, `2w`). Anything else is the user's mistake, naming the flag.
 */
export const instantOf = (flag: string, value: string, now: Date): Date => {
  const relative = RELATIVE.exec(value)
  if (relative !== null) return new Date(now.getTime() - Number(relative[1]) * UNIT_MILLIS[relative[2] as keyof typeof UNIT_MILLIS])
  const at = /^\d{4}-\d{2}-\d{2}/.test(value) ? new Date(value) : undefined
  if (at === undefined || Number.isNaN(at.getTime())) {
    throw flagError(
      flag,
      `--${flag} ${JSON.stringify(value)}: give a date (2026-12-01), a date and time (2026-12-01T08:00:00Z), or a time ago (30m, 12h, 7d, 2w)`
    )
  }
  return at
}

/** The filter of `tablecast runs`' flags. */
export const runFilterOf = (
  flags: {
    readonly sync?: string | undefined
    readonly outcome?: string | undefined
    readonly since?: string | undefined
    readonly until?: string | undefined
    readonly limit?: number | undefined
  },
  now: Date
): RunFilter => ({
  ...(flags.sync === undefined ? {} : { sync: flags.sync }),
  ...(flags.outcome === undefined ? {} : { outcome: flags.outcome as RunOutcome }),
  ...(flags.since === undefined ? {} : { since: instantOf("since", flags.since, now) }),
  ...(flags.until === undefined ? {} : { until: instantOf("until", flags.until, now) }),
  ...(flags.limit === undefined ? {} : { limit: flags.limit })
})
