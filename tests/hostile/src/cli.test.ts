import { afterAll, describe, expect, it } from "vitest"
import { runCliCase } from "./support/CliCase.ts"
import { generateCases, Hazards, hostileRuns, hostileSeed } from "./support/HostileTable.ts"
import { formatViolations, Tally } from "./support/Tally.ts"

// Generated tables through the built CLI (`tablecast sync -f case.csv … --report --rejects`)
// against the local receiver with injected 400s, 5xx, resets and lost answers.

/** Cases per run of the suite (HOSTILE_RUNS multiplies), and how often each hazard must show. */
const CliMinimum = { cases: 42, perHazard: 3, bigFields: 2 } as const

const seed = hostileSeed()
const cases = generateCases(seed, CliMinimum.cases * hostileRuns(), { maxRows: 30, bigFields: CliMinimum.bigFields * hostileRuns() })
const tally = new Tally("CLI")
tally.generated(cases)

afterAll(() => {
  console.log(tally.render(seed))
  tally.save(seed)
})

describe.concurrent("hostile input through the built CLI", () => {
  it(`generates at least ${CliMinimum.cases} cases, each hazard at least ${CliMinimum.perHazard} times (10 MB fields ${CliMinimum.bigFields})`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(CliMinimum.cases)
    const counts = tally.hazardCounts()
    for (const hazard of Hazards) {
      expect(counts.get(hazard), hazard).toBeGreaterThanOrEqual(hazard === "big-field" ? CliMinimum.bigFields : CliMinimum.perHazard)
    }
  })

  for (const hostile of cases) {
    it(`case ${hostile.id}: ${hostile.rows.length} rows; ${[...hostile.hazards].join(", ") || "no hazard"}`, async () => {
      const violations = await runCliCase(hostile)
      tally.record(hostile, "CLI", violations)
      if (violations.length > 0) expect.fail(formatViolations("CLI", hostile, violations))
    })
  }
})
