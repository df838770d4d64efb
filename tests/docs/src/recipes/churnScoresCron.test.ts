import { writeFile } from "node:fs/promises"
import path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createRecipeDatabase, type RecipeDatabase } from "../support/Database.ts"
import { type Recipe, readRecipe, recipeFile } from "../support/RecipeBlocks.ts"
import { withReceiver } from "../support/Receiver.ts"
import { describeRun, runBash, TEST_WRITE_KEY, writeTablecastShim } from "../support/Shell.ts"
import { envFileText, makeWorkdir, writeRecipeFiles } from "../support/Workdir.ts"

// docs/recipes/churn-scores-cron.md, run as printed: its config file and script in a folder, its
// commands against a real Postgres table and a `tablecast sink`, night after night.

const CUSTOMERS = 200
const customer = (n: number) => `c-${String(n).padStart(4, "0")}`
const baseScore = (n: number) => ((n * 37) % 100) / 100

let recipe: Recipe
let database: RecipeDatabase
let dir: string
let binDir: string

beforeAll(async () => {
  recipe = await readRecipe("churn-scores-cron.md")
  database = await createRecipeDatabase("tablecast_recipe_churn_cron")
  // The table as the recipe declares it.
  const tableSql = recipe.blocks.find((block) => block.language === "sql" && block.text.includes("create table analytics.churn_scores"))
  expect(tableSql, "the recipe shows the table's definition").toBeDefined()
  await database.client.query("create schema analytics")
  await database.client.query(tableSql!.text)
  await database.client.query(
    `insert into analytics.churn_scores
     select 'c-' || lpad(n::text, 4, '0'), ((n * 37) % 100) / 100.0, case when (n * 37) % 100 >= 70 then 'high' else 'low' end, 'v1', now()
     from generate_series(1, $1) as n`,
    [CUSTOMERS]
  )
  dir = await makeWorkdir("churn-cron")
  binDir = path.join(dir, ".bin")
  await writeTablecastShim(binDir)
  await writeRecipeFiles(recipe, dir, ["tablecast.config.json", "nightly-churn.sh"])
  // What the recipe keeps in tablecast.env, here pointing at the test's database and receiver.
  await writeFile(path.join(dir, "tablecast.env"), envFileText({ ...database.env, SEGMENT_WRITE_KEY: TEST_WRITE_KEY }))
})

afterAll(async () => {
  await database?.close()
})

const [nightly, plan] = [0, 1]
const command = (index: number) => {
  expect(recipe.commands.length, "the recipe's commands: the script, then tablecast plan").toBe(2)
  return recipe.commands[index]!.text
}

describe("recipe: churn scores nightly with cron", () => {
  it("sends every customer on the first night, then only the scores that moved by 0.01 or more", async () => {
    const first = await withReceiver(dir, "night-1", (endpoint) => runBash(command(nightly), { cwd: dir, binDir, endpoint }))
    expect(first.result.code, describeRun(first.result)).toBe(0)
    expect(first.result.stdout).toContain("churn-scores: delivered")
    expect(first.received).toHaveLength(CUSTOMERS)
    expect(new Set(first.received.map((message) => message.userId))).toEqual(new Set(Array.from({ length: CUSTOMERS }, (_, i) => customer(i + 1))))
    for (const message of first.received) {
      expect(message.type).toBe("track")
      expect(message.event).toBe("Churn Scored")
      expect(Object.keys(message.properties ?? {}).sort()).toEqual(["churn_risk", "churn_score", "model_version"])
    }
    const c7 = first.received.find((message) => message.userId === customer(7))!
    expect(c7.properties?.churn_score).toBe(baseScore(7))

    // The next night: customers 1–10 moved by 0.05 (sent), 11–40 by 0.002 (below the tolerance).
    await database.client.query(
      `update analytics.churn_scores set churn_score = churn_score + case when customer_id <= 'c-0010' then 0.05 else 0.002 end,
       scored_at = now() where customer_id <= 'c-0040'`
    )
    const planned = await runBash(command(plan), { cwd: dir, binDir })
    expect(planned.code, describeRun(planned)).toBe(0)
    expect(planned.stdout).toMatch(/changed\s+10\b/)

    const second = await withReceiver(dir, "night-2", (endpoint) => runBash(command(nightly), { cwd: dir, binDir, endpoint }))
    expect(second.result.code, describeRun(second.result)).toBe(0)
    expect(second.received.map((message) => message.userId).sort()).toEqual(Array.from({ length: 10 }, (_, i) => customer(i + 1)))
  })

  it("exits 3 and says where the rejects are when a row has no customer id; the other rows are delivered", async () => {
    await database.client.query(`insert into analytics.churn_scores values ('', 0.5, 'low', 'v1', now()), ('c-9001', 0.4, 'low', 'v1', now())`)
    const night = await withReceiver(dir, "night-3", (endpoint) => runBash(command(nightly), { cwd: dir, binDir, endpoint }))
    expect(night.result.code, describeRun(night.result)).toBe(3)
    expect(night.result.stderr).toContain("churn-scores: some rows were rejected, the rest delivered: see rejects/churn-scores.jsonl")
    expect(night.received.map((message) => message.userId)).toEqual(["c-9001"])
  })

  it("exits 8 and sends nothing when the table lost half its customers (the guard)", async () => {
    await database.client.query(`delete from analytics.churn_scores where customer_id > 'c-0100'`)
    const night = await withReceiver(dir, "night-4", (endpoint) => runBash(command(nightly), { cwd: dir, binDir, endpoint }))
    expect(night.result.code, describeRun(night.result)).toBe(8)
    expect(night.result.stderr).toContain("churn-scores: the guard stopped the run and nothing was sent")
    expect(night.received).toEqual([])
  })

  it("has cron run the recipe's script on a five-field schedule", () => {
    const lines = recipeFile(recipe, "crontab")
      .text.split("\n")
      .filter((line) => line.trim() !== "" && !line.startsWith("#"))
    const jobs = lines.filter((line) => !/^[A-Z_]+=/.test(line))
    expect(jobs).toHaveLength(1)
    const fields = jobs[0]!.split(/\s+/)
    const schedule = fields.slice(0, 5)
    const field = /^(\*|\d+(-\d+)?)(\/\d+)?(,(\*|\d+(-\d+)?)(\/\d+)?)*$/
    for (const part of schedule) expect(part).toMatch(field)
    expect(path.basename(fields[5]!)).toBe("nightly-churn.sh")
    expect(lines.some((line) => line.startsWith("PATH="))).toBe(true)
  })
})
