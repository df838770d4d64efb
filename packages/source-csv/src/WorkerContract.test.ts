import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { isPrepared, type PortableContract, type SourceItem, type PreparedRow, SyncSpec } from "@tablecast/core"
import { compileTrackingPlan, parseTrackingPlan } from "@tablecast/tracking-plan"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { afterAll, describe, expect, it } from "vitest"
import { csvPreparedRows } from "./CsvRows.ts"
import { parseOptions } from "./CsvSourceOptions.ts"

const dir = mkdtempSync(join(tmpdir(), "tablecast-csv-contract-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const library = { name: "tablecast", version: "0.0.0-test" }
const spec = SyncSpec.parse({ event: "Churn Scored", customerId: "customer_id" })
const path = join(dir, "scores.csv")
// Every 7th row's score is out of the plan's bounds; every 11th row's segment is not one it lists.
writeFileSync(
  path,
  `customer_id,churn_score,segment\n${Array.from({ length: 3_000 }, (_, index) => {
    const row = index + 1
    return `c${row},${row % 7 === 0 ? 1.5 : (row % 97) / 97},${row % 11 === 0 ? "extreme" : "high"}`
  }).join("\n")}\n`
)
const plan = compileTrackingPlan(
  parseTrackingPlan(
    {
      rules: [
        {
          type: "TRACK",
          key: "Churn Scored",
          jsonSchema: {
            type: "object",
            properties: {
              properties: {
                type: "object",
                properties: { churn_score: { type: "number", maximum: 1 }, segment: { enum: ["high", "low"] } },
                required: ["churn_score", "segment"]
              }
            }
          }
        }
      ]
    },
    "plan.json"
  ),
  "plan.json"
)
const shape = {
  type: "track" as const,
  fixed: { type: "track", event: "Churn Scored", context: { library } },
  varying: ["userId", "messageId"],
  payload: "properties" as const
}

/**
 * The rows the worker mapped and found keeping the plan (`checked`), read slowly enough that it maps
 * ahead (it maps the chunks asked for while the pipeline is busy), and how many came as read.
 */
const split = async (contract: PortableContract) => {
  const options = await Effect.runPromise(parseOptions({ path }))
  let taken = 0
  const items = await Effect.runPromise(
    Stream.runCollect(
      csvPreparedRows(options, spec, library, undefined, undefined, contract).pipe(
        Stream.tap(() => (++taken % 100 === 0 ? Effect.sleep("5 millis") : Effect.void))
      )
    )
  )
  const all = items as ReadonlyArray<SourceItem | PreparedRow>
  const checked = all.filter((item) => isPrepared(item) && item.checked === true).map((item) => (item as PreparedRow).rowNumber)
  return { checked, asRead: all.length - checked.length }
}

describe("the CSV worker with a tracking plan", () => {
  const broken = new Set(Array.from({ length: 3_000 }, (_, index) => index + 1).filter((row) => row % 7 === 0 || row % 11 === 0))
  /** Rows mapped and passed by the worker: some, none of them a row that breaks the plan. */
  const expectPassedOnlyKeptRows = ({ checked, asRead }: { readonly checked: ReadonlyArray<number>; readonly asRead: number }) => {
    expect(checked.length).toBeGreaterThan(0)
    expect(checked.filter((row) => broken.has(row))).toEqual([])
    expect(checked.length + asRead).toBe(3_000)
    expect(asRead).toBeGreaterThanOrEqual(broken.size)
  }

  it("checks with the tests the sending thread compiled, and passes none of the rows that break the plan", async () => {
    expectPassedOnlyKeptRows(await split({ trackingPlan: plan.plan, origin: "plan.json", tests: plan.portableTests([shape]) }))
  })

  it("compiles the plan itself when it is given no tests, or tests that miss the sync's shape", async () => {
    expectPassedOnlyKeptRows(await split({ trackingPlan: plan.plan, origin: "plan.json" }))
    expectPassedOnlyKeptRows(await split({ trackingPlan: plan.plan, origin: "plan.json", tests: {} }))
  })
})
