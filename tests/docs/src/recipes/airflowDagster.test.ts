import path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createRecipeDatabase, type RecipeDatabase } from "../support/Database.ts"
import { documentedExitCodes } from "../support/ExitCodes.ts"
import { pyCompile, pythonConstants } from "../support/Python.ts"
import { type Recipe, readRecipe } from "../support/RecipeBlocks.ts"
import { withReceiver } from "../support/Receiver.ts"
import { describeRun, runBash, runProgram, TEST_WRITE_KEY, writeTablecastShim } from "../support/Shell.ts"
import { makeWorkdir, writeRecipeFiles } from "../support/Workdir.ts"

// docs/recipes/airflow-dagster.md. Airflow and Dagster are not installed here: their files are
// compiled (python3 -m py_compile, which imports nothing), their SYNC_COMMAND read from the syntax
// tree and run as the operator would, in a folder holding the recipe's config file.

const AIRFLOW = "churn_scores_dag.py"
const DAGSTER = "churn_scores_asset.py"
const CUSTOMERS = 120

let recipe: Recipe
let database: RecipeDatabase
let dir: string
let binDir: string
let env: Record<string, string>
let exitCodes: Record<string, number>

beforeAll(async () => {
  recipe = await readRecipe("airflow-dagster.md")
  database = await createRecipeDatabase("tablecast_recipe_orchestrators")
  await database.client.query("create schema analytics")
  await database.client.query(
    "create table analytics.churn_scores (customer_id text primary key, churn_score double precision, churn_risk text, scored_at timestamptz)"
  )
  await database.client.query(
    `insert into analytics.churn_scores select 'c-' || n, (n % 100) / 100.0, case when n % 100 >= 70 then 'high' else 'low' end, now()
     from generate_series(1, $1) as n`,
    [CUSTOMERS]
  )
  dir = await makeWorkdir("orchestrators")
  binDir = path.join(dir, ".bin")
  await writeTablecastShim(binDir)
  await writeRecipeFiles(recipe, dir, ["tablecast.config.json", AIRFLOW, DAGSTER])
  env = { ...database.env, SEGMENT_WRITE_KEY: TEST_WRITE_KEY }
  exitCodes = await documentedExitCodes()
})

afterAll(async () => {
  await database?.close()
})

describe("recipe: an Airflow task and a Dagster asset", () => {
  it("has Python files that compile", async () => {
    for (const file of [AIRFLOW, DAGSTER]) {
      const result = await pyCompile(file, dir)
      expect(result.code, `${file}: ${describeRun(result)}`).toBe(0)
    }
  })

  it("uses tablecast's documented exit codes", async () => {
    expect((await pythonConstants(AIRFLOW, dir)).GUARD_TRIPPED).toBe(exitCodes.guardTripped)
    const dagster = await pythonConstants(DAGSTER, dir)
    expect([dagster.DELIVERED, dagster.ROWS_REJECTED, dagster.GUARD_TRIPPED]).toEqual([
      exitCodes.ok,
      exitCodes.rowsRejected,
      exitCodes.guardTripped
    ])
  })

  it("runs Airflow's command (bash -c), then Dagster's (an argument list) whose stdout is the report the asset reads", async () => {
    const airflowCommand = (await pythonConstants(AIRFLOW, dir)).SYNC_COMMAND
    expect(typeof airflowCommand).toBe("string")
    const airflow = await withReceiver(dir, "airflow", (endpoint) => runBash(airflowCommand as string, { cwd: dir, binDir, endpoint, env }))
    expect(airflow.result.code, describeRun(airflow.result)).toBe(0)
    expect(airflow.received).toHaveLength(CUSTOMERS)
    expect(new Set(airflow.received.map((message) => message.event))).toEqual(new Set(["Churn Scored"]))

    // The next run, from Dagster: seven scores moved by 0.05.
    await database.client.query(
      "update analytics.churn_scores set churn_score = churn_score + 0.05 where customer_id in ('c-1','c-2','c-3','c-4','c-5','c-6','c-7')"
    )
    const dagsterCommand = (await pythonConstants(DAGSTER, dir)).SYNC_COMMAND as Array<string>
    expect(Array.isArray(dagsterCommand)).toBe(true)
    const dagster = await withReceiver(dir, "dagster", (endpoint) =>
      runProgram(dagsterCommand[0]!, dagsterCommand.slice(1), { cwd: dir, binDir, endpoint, env })
    )
    expect(dagster.result.code, describeRun(dagster.result)).toBe(0)
    expect(dagster.received).toHaveLength(7)
    // The fields the asset reads for its metadata.
    const report = JSON.parse(dagster.result.stdout) as { rows: { read: number; rejected: number }; messages: { accepted: number } }
    expect(report.rows.read).toBe(CUSTOMERS)
    expect(report.messages.accepted).toBe(7)
    expect(report.rows.rejected).toBe(0)
  })
})
