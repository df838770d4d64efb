import { mkdir, writeFile } from "node:fs/promises"
import path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { parse } from "yaml"
import { createRecipeDatabase, type RecipeDatabase } from "../support/Database.ts"
import { type Recipe, readRecipe, recipeFile } from "../support/RecipeBlocks.ts"
import { withReceiver } from "../support/Receiver.ts"
import { describeRun, runBash, runProgram, TEST_WRITE_KEY, writeTablecastShim } from "../support/Shell.ts"
import { makeWorkdir } from "../support/Workdir.ts"

// docs/recipes/github-actions-schedule.md: the workflow checked by a validator (GitHub's runners
// cannot be reached from here), then its export and send steps run as written, with the job's
// secrets set to a real Postgres and a test write key, against a `tablecast sink`.

const WORKFLOW = ".github/workflows/sales-predictions.yml"
const ROWS = 100
// The validator from the registry, pinned so that a new release cannot change the verdict unseen.
const ACTION_VALIDATOR = "@action-validator/cli@0.6.0"

interface Step {
  readonly name?: string
  readonly uses?: string
  readonly run?: string
  readonly env?: Record<string, string>
}
interface Workflow {
  readonly jobs: Record<string, { readonly env?: Record<string, string>; readonly steps: ReadonlyArray<Step> }>
}

let recipe: Recipe
let database: RecipeDatabase
let dir: string
let binDir: string
let secrets: Record<string, string>

beforeAll(async () => {
  recipe = await readRecipe("github-actions-schedule.md")
  database = await createRecipeDatabase("tablecast_recipe_github_actions")
  await database.client.query("create schema analytics")
  await database.client.query(
    "create table analytics.sales_predictions (customer_id text primary key, iphone double precision, apple_watch double precision, airpods double precision, predicted_at timestamptz)"
  )
  await database.client.query(
    `insert into analytics.sales_predictions
     select 'c-' || n, (n % 10) / 10.0, (n % 7) / 10.0, (n % 3) / 10.0, now() from generate_series(1, $1) as n`,
    [ROWS]
  )
  dir = await makeWorkdir("github-actions")
  binDir = path.join(dir, ".bin")
  await writeTablecastShim(binDir)
  await mkdir(path.join(dir, ".github/workflows"), { recursive: true })
  await writeFile(path.join(dir, WORKFLOW), recipeFile(recipe, WORKFLOW).text)
  // The repository's secrets, as the recipe lists them, here pointing at the test's database.
  secrets = { ...database.env, SEGMENT_WRITE_KEY: TEST_WRITE_KEY }
})

afterAll(async () => {
  await database?.close()
})

/** A step's or job's `env`, with `${{ secrets.NAME }}` replaced by the test's secrets. */
const resolveEnv = (env: Record<string, string> = {}): Record<string, string> =>
  Object.fromEntries(
    Object.entries(env).map(([name, value]) => {
      const secret = /^\$\{\{ secrets\.(\w+) \}\}$/.exec(value)?.[1]
      if (secret === undefined) return [name, value]
      const given = secrets[secret]
      if (given === undefined) throw new Error(`the workflow uses secrets.${secret}, which the recipe does not list`)
      return [name, given]
    })
  )

describe("recipe: a GitHub Actions schedule", () => {
  it("is a valid workflow (action-validator)", async () => {
    const result = await runProgram("npx", ["-y", ACTION_VALIDATOR, WORKFLOW], { cwd: dir, binDir }, 170_000)
    expect(result.code, describeRun(result)).toBe(0)
  })

  it("runs its export and send steps: every prediction on the first run, then only those that moved", async () => {
    const workflow = parse(recipeFile(recipe, WORKFLOW).text) as Workflow
    const job = workflow.jobs.sync!
    const step = (name: string) => {
      const found = job.steps.find((candidate) => candidate.name === name)
      if (found?.run === undefined) throw new Error(`the workflow has no step "${name}" that runs a command`)
      return found
    }
    // Not run: it installs the published package; the shim runs the CLI built from this repository.
    expect(step("Install tablecast").run!.trim()).toBe("npm install -g @tablecast/cli")
    const exportStep = step("Export the predictions")
    const sendStep = step("Send them to Segment")
    // The write key reaches only the sending step, from the repository's secret of that name.
    expect(resolveEnv(sendStep.env)).toEqual({ SEGMENT_WRITE_KEY: TEST_WRITE_KEY })
    expect(Object.keys(sendStep.env ?? {})).toEqual(["SEGMENT_WRITE_KEY"])
    // Run as GitHub runs a step on Linux: bash -e with pipefail, the job's env and the step's.
    // The test's server listens on its own port (a warehouse would on 5432): PGPORT is the
    // runner's environment here, not a secret of the recipe.
    const runner: Record<string, string> = database.env.PGPORT === undefined ? {} : { PGPORT: database.env.PGPORT }
    const runStep = (stepToRun: Step, endpoint?: string) =>
      runBash(`set -eo pipefail\n${stepToRun.run}`, {
        cwd: dir,
        binDir,
        ...(endpoint === undefined ? {} : { endpoint }),
        env: { ...runner, ...resolveEnv(job.env), ...resolveEnv(stepToRun.env) }
      })

    const exported = await runStep(exportStep)
    expect(exported.code, describeRun(exported)).toBe(0)
    const first = await withReceiver(dir, "run-1", (endpoint) => runStep(sendStep, endpoint))
    expect(first.result.code, describeRun(first.result)).toBe(0)
    expect(first.received).toHaveLength(ROWS)
    for (const message of first.received) {
      expect(message.event).toBe("Sales Prediction")
      expect(message.properties).toMatchObject({ iphone: expect.any(Number), apple_watch: expect.any(Number), airpods: expect.any(Number) })
    }

    // The next day: five predictions moved by 0.1, ten by 0.001 (below the tolerance).
    await database.client.query(
      `update analytics.sales_predictions set iphone = iphone + case when customer_id in ('c-1','c-2','c-3','c-4','c-5') then 0.1 else 0.001 end
       where customer_id in ('c-1','c-2','c-3','c-4','c-5','c-6','c-7','c-8','c-9','c-10','c-11','c-12','c-13','c-14','c-15')`
    )
    expect((await runStep(exportStep)).code).toBe(0)
    const second = await withReceiver(dir, "run-2", (endpoint) => runStep(sendStep, endpoint))
    expect(second.result.code, describeRun(second.result)).toBe(0)
    expect(second.received.map((message) => message.userId).sort()).toEqual(["c-1", "c-2", "c-3", "c-4", "c-5"])
  })
})
