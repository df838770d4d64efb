import { readFile } from "node:fs/promises"
import path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createRecipeDatabase, type RecipeDatabase } from "../support/Database.ts"
import { type Recipe, readRecipe } from "../support/RecipeBlocks.ts"
import { withReceiver } from "../support/Receiver.ts"
import { describeRun, runBash, TEST_WRITE_KEY, writeTablecastShim } from "../support/Shell.ts"
import { makeWorkdir, writeRecipeFiles } from "../support/Workdir.ts"

// docs/recipes/tracking-plan.md, run as printed: a plan written from a real churn_scores table,
// the checked sync, a model change stopped, then let through in warn mode.

const CUSTOMERS = 120
const RISKS = ["low", "medium", "high"]

type Schema = { type?: unknown; enum?: unknown; properties?: Record<string, Schema>; required?: Array<string> }

let recipe: Recipe
let database: RecipeDatabase
let dir: string
let binDir: string
let env: Record<string, string>

beforeAll(async () => {
  recipe = await readRecipe("tracking-plan.md")
  database = await createRecipeDatabase("tablecast_recipe_tracking_plan")
  await database.client.query("create schema analytics")
  await database.client.query(
    `create table analytics.churn_scores (customer_id text primary key, churn_score numeric(4,3) not null, churn_risk text not null,
     model_version text not null, scored_at timestamptz not null)`
  )
  await database.client.query(
    `insert into analytics.churn_scores
     select 'c-' || lpad(n::text, 4, '0'), (n % 1000) / 1000.0, ($2::text[])[1 + n % 3], 'v7', now() - make_interval(mins => n)
     from generate_series(1, $1) as n`,
    [CUSTOMERS, RISKS]
  )
  dir = await makeWorkdir("tracking-plan")
  binDir = path.join(dir, ".bin")
  await writeTablecastShim(binDir)
  await writeRecipeFiles(recipe, dir, ["tablecast.config.json"])
  env = { ...database.env, SEGMENT_WRITE_KEY: TEST_WRITE_KEY }
})

afterAll(async () => {
  await database?.close()
})

const [writePlan, checkedSync, warnSync] = [0, 1, 2]
const command = (index: number) => {
  expect(recipe.commands.length, "the recipe's commands: the plan, the checked sync, the warn sync").toBe(3)
  return recipe.commands[index]!.text
}

describe("recipe: a tracking plan for churn scores", () => {
  it("writes the plan shown, and the checked sync sends every row", async () => {
    const written = await runBash(command(writePlan), { cwd: dir, binDir, env })
    expect(written.code, describeRun(written)).toBe(0)
    const plan = JSON.parse(await readFile(path.join(dir, "churn-scored.plan.json"), "utf8")) as {
      rules: Array<{ type: string; key: string; jsonSchema: { properties: { properties: Schema } } }>
    }
    expect(plan.rules.map((rule) => [rule.type, rule.key])).toEqual([["TRACK", "Churn Scored"]])
    const payload = plan.rules[0]!.jsonSchema.properties.properties
    expect(payload.properties).toMatchObject({
      churn_score: { type: "number" },
      churn_risk: { type: "string", enum: ["high", "low", "medium"] },
      model_version: { type: "string", enum: ["v7"] }
    })
    expect(payload.required).toEqual(["churn_score", "churn_risk", "model_version"])

    const sent = await withReceiver(dir, "checked", (endpoint) => runBash(command(checkedSync), { cwd: dir, binDir, endpoint, env }))
    expect(sent.result.code, describeRun(sent.result)).toBe(0)
    expect(sent.received).toHaveLength(CUSTOMERS)
  })

  it("stops every row of a changed model, naming the properties; warn mode sends them and counts them", async () => {
    await database.client.query("alter table analytics.churn_scores alter column churn_score type text using churn_score::text")
    await database.client.query("alter table analytics.churn_scores rename column churn_risk to risk_band")
    const stopped = await withReceiver(dir, "changed", (endpoint) => runBash(command(checkedSync), { cwd: dir, binDir, endpoint, env }))
    expect(stopped.result.code, describeRun(stopped.result)).toBe(3)
    expect(stopped.received).toEqual([])
    const rejects = await readFile(path.join(dir, "rejects/churn-scores.jsonl"), "utf8")
    expect(rejects).toContain('properties.churn_score: must be number, got string (TRACK \\"Churn Scored\\" v1)')
    expect(rejects).toContain("properties.churn_risk: required property missing")

    const warned = await withReceiver(dir, "warn", (endpoint) => runBash(command(warnSync), { cwd: dir, binDir, endpoint, env }))
    expect(warned.result.code, describeRun(warned.result)).toBe(0)
    expect(warned.received).toHaveLength(CUSTOMERS)
    expect(warned.received.every((message) => typeof message.properties?.churn_score === "string")).toBe(true)
    expect(warned.result.stdout + warned.result.stderr).toContain(
      `tracking plan churn-scored.plan.json (warn): ${CUSTOMERS} messages checked, ${CUSTOMERS} rows sent with warnings`
    )
  })
})
