import { writeFileSync } from "node:fs"
import path from "node:path"
import { type Hazard, Hazards, type HostileCase } from "./HostileTable.ts"
import { Properties, type Property, type Violation } from "./Properties.ts"

/**
 * What a path's run generated and what broke: how many cases held each hazard, and for each
 * property how many cases broke it (with the hazards of those cases), printed as a table at the
 * end of the run so a short or thin run shows.
 */
export class Tally {
  readonly cases: Array<HostileCase> = []
  readonly runs: Array<{ readonly hostile: HostileCase; readonly label: string; readonly violations: ReadonlyArray<Violation> }> = []

  constructor(readonly path: string) {}

  generated(cases: ReadonlyArray<HostileCase>): void {
    this.cases.push(...cases)
  }

  record(hostile: HostileCase, label: string, violations: ReadonlyArray<Violation>): void {
    this.runs.push({ hostile, label, violations })
  }

  hazardCounts(): Map<Hazard, number> {
    const counts = new Map<Hazard, number>(Hazards.map((hazard) => [hazard, 0]))
    for (const hostile of this.cases) for (const hazard of hostile.hazards) counts.set(hazard, counts.get(hazard)! + 1)
    return counts
  }

  /** The table: hazards generated, then each property's failing runs and the hazards they held. */
  render(seed: number): string {
    const lines = [`hostile suite, ${this.path}: ${this.cases.length} cases, ${this.runs.length} runs, seed ${seed} (HOSTILE_SEED replays it)`]
    lines.push("", "  hazard               cases")
    for (const [hazard, count] of this.hazardCounts()) lines.push(`  ${hazard.padEnd(20)} ${String(count).padStart(5)}`)
    lines.push("", "  property                    failing runs  hazards of the failing runs")
    for (const property of Properties) {
      const failing = this.runs.filter((run) => run.violations.some((violation) => violation.property === property))
      const hazards = new Map<Hazard, number>()
      for (const run of failing) for (const hazard of run.hostile.hazards) hazards.set(hazard, (hazards.get(hazard) ?? 0) + 1)
      const top = [...hazards]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 5)
        .map(([hazard, count]) => `${hazard} ${count}`)
        .join(", ")
      lines.push(`  ${property.padEnd(27)} ${`${failing.length}/${this.runs.length}`.padStart(12)}  ${top}`)
    }
    return lines.join("\n")
  }

  /** With HOSTILE_RESULTS_DIR set, writes every run (case, hazards, violations) there as JSON. */
  save(seed: number): void {
    const dir = process.env.HOSTILE_RESULTS_DIR
    if (dir === undefined || dir === "") return
    const runs = this.runs.map((run) => ({
      case: run.hostile.id,
      label: run.label,
      rows: run.hostile.rows.length,
      hazards: [...run.hostile.hazards],
      violations: run.violations
    }))
    writeFileSync(
      path.join(dir, `${this.path.split(" ")[0]!.toLowerCase()}-${this.path.includes("workerd") ? "workerd" : "run"}.json`),
      JSON.stringify({ path: this.path, seed, runs }, null, 1)
    )
  }

  failing(property: Property): number {
    return this.runs.filter((run) => run.violations.some((violation) => violation.property === property)).length
  }
}

/** A case's violations as one readable block (the test's failure message). */
export const formatViolations = (label: string, hostile: HostileCase, violations: ReadonlyArray<Violation>): string =>
  [
    `${label}: case ${hostile.id} (${hostile.rows.length} rows, hazards: ${[...hostile.hazards].join(", ") || "none"}) broke ${new Set(violations.map((v) => v.property)).size} propert(ies):`,
    ...violations.slice(0, 25).map((violation) => `  - ${violation.property}: ${violation.detail}`),
    ...(violations.length > 25 ? [`  … and ${violations.length - 25} more`] : [])
  ].join("\n")
