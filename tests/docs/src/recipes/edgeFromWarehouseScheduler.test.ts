import path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createRecipeDatabase, type RecipeDatabase } from "../support/Database.ts"
import { edgeMain, type Server, startServer } from "../support/Processes.ts"
import { type Recipe, readRecipe, recipeFile } from "../support/RecipeBlocks.ts"
import { withReceiver } from "../support/Receiver.ts"
import { describeRun, runBash, TEST_WRITE_KEY, writeTablecastShim } from "../support/Shell.ts"
import { makeWorkdir, writeRecipeFiles } from "../support/Workdir.ts"

// docs/recipes/edge-from-warehouse-scheduler.md: the edge worker served on Node (apps/edge's
// dist/main.js, a real process), sending to a `tablecast sink`; the recipe's script and body query
// run against a real Postgres table. pg_cron and pg_net are not installed here: the body their
// call would post is built by the recipe's query and posted with the same headers.

const TOKEN = "recipe-test-token-0123456789"
const TODAY = 60
const YESTERDAY = 25

let recipe: Recipe
let database: RecipeDatabase
let dir: string
let binDir: string

beforeAll(async () => {
  recipe = await readRecipe("edge-from-warehouse-scheduler.md")
  database = await createRecipeDatabase("tablecast_recipe_edge")
  await database.client.query("create schema analytics")
  await database.client.query(
    "create table analytics.churn_scores (customer_id text primary key, churn_score double precision, churn_risk text, scored_at timestamptz)"
  )
  await database.client.query(
    `insert into analytics.churn_scores
     select 'c-' || n, (n % 100) / 100.0, 'low', case when n <= $1 then date_trunc('day', now()) + interval '1 minute' else now() - interval '2 days' end
     from generate_series(1, $2) as n`,
    [TODAY, TODAY + YESTERDAY]
  )
  dir = await makeWorkdir("edge")
  binDir = path.join(dir, ".bin")
  await writeTablecastShim(binDir)
  await writeRecipeFiles(recipe, dir, ["push-churn-scores.sh"])
})

afterAll(async () => {
  await database?.close()
})

/** The edge on Node, as docs/edge.md runs it, on a free port, sending to `endpoint`. */
const startEdge = (endpoint: string): Promise<Server> =>
  startServer(
    [edgeMain],
    { TABLECAST_TOKEN: TOKEN, SEGMENT_WRITE_KEY: TEST_WRITE_KEY, SEGMENT_ENDPOINT: endpoint, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "warn" },
    (output) => /"url":"(http:\/\/[^"]+)"/.exec(output)?.[1]
  )

const withEdge = <A>(label: string, body: (edge: string) => Promise<A>) =>
  withReceiver(dir, label, async (endpoint) => {
    const edge = await startEdge(endpoint)
    try {
      return await body(edge.url)
    } finally {
      await edge.stop()
    }
  })

describe("recipe: the edge worker called from a warehouse scheduler", () => {
  it("runs the shell step: today's rows posted as CSV, a completed report, a failed job otherwise", async () => {
    const command = recipe.commands
    expect(command, "the recipe's command: the script").toHaveLength(1)
    const run = await withEdge("script", (edge) =>
      runBash(`${command[0]!.text}cat delivery-report.json`, {
        cwd: dir,
        binDir,
        env: { ...database.env, TABLECAST_EDGE: edge, TABLECAST_TOKEN: TOKEN }
      })
    )
    expect(run.result.code, describeRun(run.result)).toBe(0)
    const report = JSON.parse(run.result.stdout) as { outcome: string; rows: { read: number } }
    expect(report.outcome).toBe("completed")
    expect(report.rows.read).toBe(TODAY)
    expect(run.received).toHaveLength(TODAY)
    expect(new Set(run.received.map((message) => message.event))).toEqual(new Set(["Churn Scored"]))
    expect(run.received.every((message) => typeof message.properties?.churn_score === "number")).toBe(true)

    // A wrong token: curl --fail-with-body makes the job fail.
    const refused = await withEdge("script-refused", (edge) =>
      runBash(command[0]!.text, { cwd: dir, binDir, env: { ...database.env, TABLECAST_EDGE: edge, TABLECAST_TOKEN: `${TOKEN}-wrong` } })
    )
    expect(refused.result.code, describeRun(refused.result)).not.toBe(0)
    expect(refused.received).toEqual([])

    // A row the edge rejects (no customer id): the run completes, the script exits 3.
    await database.client.query("insert into analytics.churn_scores values ('', 0.5, 'low', now())")
    try {
      const rejected = await withEdge("script-rejected", (edge) =>
        runBash(command[0]!.text, { cwd: dir, binDir, env: { ...database.env, TABLECAST_EDGE: edge, TABLECAST_TOKEN: TOKEN } })
      )
      expect(rejected.result.code, describeRun(rejected.result)).toBe(3)
      expect(rejected.result.stderr).toContain("churn-scores: 1 rows rejected")
      expect(rejected.received).toHaveLength(TODAY)
    } finally {
      await database.client.query("delete from analytics.churn_scores where customer_id = ''")
    }
  })

  it("posts the body edge-body.sql builds, with the headers of the pg_net call: every row of the day delivered", async () => {
    const body = (await database.client.query<{ body: unknown }>(recipeFile(recipe, "edge-body.sql").text)).rows[0]!.body
    const run = await withEdge("pg-net", async (edge) => {
      const answer = await fetch(`${edge}/v1/runs`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify(body)
      })
      return { status: answer.status, report: (await answer.json()) as { outcome: string } }
    })
    expect(run.result.status, JSON.stringify(run.result.report)).toBe(200)
    expect(run.result.report.outcome).toBe("completed")
    expect(run.received).toHaveLength(TODAY)
    expect(run.received.every((message) => typeof message.timestamp === "string" && message.event === "Churn Scored")).toBe(true)
  })
})
