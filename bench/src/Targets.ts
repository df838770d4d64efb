import type { Measurement } from "./Measure.ts"
import type { Summary } from "./Summary.ts"

const MIB = 2 ** 20
/** The "150 MB", read strictly: 150,000,000 bytes (143 MiB). */
const MEMORY_TARGET_BYTES = 150_000_000

/**
 * The targets, each as a line saying met or missed with the figures. Printed, never
 * asserted: the machines are noisy, and the figures are what a reader weighs.
 */
export const checkTargets = (summaries: ReadonlyArray<Summary>, memoryRuns: ReadonlyArray<Measurement>): Array<string> => {
  const find = (key: string) => summaries.find((summary) => summary.key === key)
  const bare = find("bare")
  const bulk = find("bulk")
  const fallback = find("default")
  const library = find("analytics-node")
  const lines: Array<string> = ["Targets:"]
  const check = (met: boolean, text: string) => lines.push(`- [${met ? "met" : "MISSED"}] ${text}`)

  if (bare !== undefined) {
    if (bulk !== undefined) {
      const ratio = bulk.rowsPerSecond / bare.rowsPerSecond
      check(ratio >= 0.8, `tablecast bulk ≥ 0.8 × bare bound: ${ratio.toFixed(2)} ×`)
    }
    if (fallback !== undefined) {
      const ratio = fallback.rowsPerSecond / bare.rowsPerSecond
      check(ratio >= 0.5, `tablecast default ≥ 0.5 × bare bound: ${ratio.toFixed(2)} ×`)
    }
  }
  if (library !== undefined) {
    for (const ours of [bulk, fallback]) {
      if (ours === undefined) continue
      const ratio = ours.rowsPerSecond / library.rowsPerSecond
      check(ratio >= 5, `${ours.label} ≥ 5 × the analytics-node script: ${ratio.toFixed(2)} ×`)
    }
    lines.push(`- (analytics-node script lost ${library.rowsLost.toLocaleString("en-US")} rows)`)
  }
  for (const ours of summaries.filter((summary) => summary.key !== "bare" && summary.key !== "analytics-node")) {
    check(
      ours.rowsLost === 0 && ours.duplicates === 0,
      `${ours.label}: zero rows lost, none twice (${ours.rowsLost} lost, ${ours.duplicates} twice)`
    )
  }
  for (const run of memoryRuns) {
    const small = find(run.key)
    check(
      run.peakRssBytes <= MEMORY_TARGET_BYTES,
      `${run.label}: peak RSS ≤ 150 MB (143 MiB) for ${run.rows.toLocaleString("en-US")} rows: ${(run.peakRssBytes / MIB).toFixed(0)} MiB`
    )
    if (small !== undefined) {
      const growth = run.peakRssBytes / small.peakRssBytes - 1
      check(
        growth <= 0.1,
        `${run.label}: peak RSS ≤ 10% above the ${small.rows.toLocaleString("en-US")}-row figure: ${(growth * 100).toFixed(1)}% (${(small.peakRssBytes / MIB).toFixed(0)} → ${(run.peakRssBytes / MIB).toFixed(0)} MiB)`
      )
    }
    check(run.rowsLost === 0 && run.duplicates === 0, `${run.label}, ${run.rows.toLocaleString("en-US")} rows: zero rows lost (${run.rowsLost})`)
  }
  return lines
}
