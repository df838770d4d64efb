import { startNodeServer } from "@tablecast/edge/node"
import { afterAll, describe, expect, it } from "vitest"
import { type BodyFormat, runEdgeCase } from "./support/EdgeCase.ts"
import { generateCases, Hazards, hostileRuns, hostileSeed } from "./support/HostileTable.ts"
import { formatViolations, Tally } from "./support/Tally.ts"

// Generated tables through the edge's Node entry (@hono/node-server, the node:http transport),
// each posted as a CSV body and as a JSON body, against the local receiver with injected faults.

const EdgeNodeMinimum = { cases: 42, perHazard: 3, bigFields: 1 } as const

const seed = hostileSeed() + 100_000
const cases = generateCases(seed, EdgeNodeMinimum.cases * hostileRuns(), { maxRows: 30, bigFields: EdgeNodeMinimum.bigFields * hostileRuns() })
const tally = new Tally("edge on Node (CSV and JSON bodies)")
tally.generated(cases)

afterAll(() => {
  console.log(tally.render(seed))
  tally.save(seed)
})

const startEdge = async (env: Record<string, string>) => {
  const server = await startNodeServer({ env, port: 0 })
  return { url: server.url, fetch: (request: Request) => fetch(request), close: server.close }
}

describe.concurrent("hostile input through the edge on Node", () => {
  it(`generates at least ${EdgeNodeMinimum.cases} cases, each hazard at least ${EdgeNodeMinimum.perHazard} times (10 MB fields ${EdgeNodeMinimum.bigFields})`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(EdgeNodeMinimum.cases)
    const counts = tally.hazardCounts()
    for (const hazard of Hazards) {
      expect(counts.get(hazard), hazard).toBeGreaterThanOrEqual(hazard === "big-field" ? EdgeNodeMinimum.bigFields : EdgeNodeMinimum.perHazard)
    }
  })

  for (const hostile of cases) {
    for (const format of ["csv", "json"] as const satisfies ReadonlyArray<BodyFormat>) {
      it(`case ${hostile.id} as ${format}: ${hostile.rows.length} rows; ${[...hostile.hazards].join(", ") || "no hazard"}`, async () => {
        const violations = await runEdgeCase(hostile, format, startEdge)
        tally.record(hostile, `edge ${format}`, violations)
        if (violations.length > 0) expect.fail(formatViolations(`edge on Node, ${format} body`, hostile, violations))
      })
    }
  }
})
