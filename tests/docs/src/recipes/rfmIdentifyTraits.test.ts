import path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createRecipeDatabase, type RecipeDatabase } from "../support/Database.ts"
import { type Recipe, readRecipe, recipeFile } from "../support/RecipeBlocks.ts"
import { withReceiver } from "../support/Receiver.ts"
import { describeRun, runBash, TEST_WRITE_KEY, writeTablecastShim } from "../support/Shell.ts"
import { makeWorkdir, writeRecipeFiles } from "../support/Workdir.ts"

// docs/recipes/rfm-identify-traits.md, run as printed: its query over a real orders table, its
// preview and sync against a `tablecast sink`.

const CUSTOMERS = 500
const TRAITS = ["frequency", "monetary", "recency_days", "rfm_score", "rfm_segment"]

interface RfmRow {
  readonly customer_id: string
  readonly recency_days: number
  readonly frequency: number
  readonly monetary: string
  readonly rfm_score: string
  readonly rfm_segment: string
}

let recipe: Recipe
let database: RecipeDatabase
let dir: string
let binDir: string
let env: Record<string, string>

/** What the recipe's query gives today, by customer. */
const rfmTable = async (): Promise<Map<string, RfmRow>> => {
  const result = await database.client.query<RfmRow>(recipeFile(recipe, "rfm.sql").text)
  return new Map(result.rows.map((row) => [row.customer_id, row]))
}

beforeAll(async () => {
  recipe = await readRecipe("rfm-identify-traits.md")
  database = await createRecipeDatabase("tablecast_recipe_rfm")
  await database.client.query("create schema shop")
  await database.client.query(
    "create table shop.orders (customer_id text not null, ordered_at timestamptz not null, amount numeric(12,2) not null)"
  )
  // Customer n orders (n % 7) + 1 times, the last (n * 5) % 300 days ago, amounts that vary by customer.
  await database.client.query(
    `insert into shop.orders
     select 'c-' || lpad(n::text, 3, '0'), now() - make_interval(days => (n * 5) % 300 + k * 3), 10 + ((n * 13 + k * 7) % 90)
     from generate_series(1, $1) as n, generate_series(0, 6) as k
     where k <= n % 7`,
    [CUSTOMERS]
  )
  dir = await makeWorkdir("rfm")
  binDir = path.join(dir, ".bin")
  await writeTablecastShim(binDir)
  await writeRecipeFiles(recipe, dir, ["rfm.sql"])
  env = { ...database.env, SEGMENT_WRITE_KEY: TEST_WRITE_KEY }
})

afterAll(async () => {
  await database?.close()
})

const [sync, preview] = [0, 1]
const command = (index: number) => {
  expect(recipe.commands.length, "the recipe's commands: the sync, then the preview").toBe(2)
  return recipe.commands[index]!.text
}

describe("recipe: RFM segments as identify traits", () => {
  it("previews the first identify calls without sending", async () => {
    const result = await runBash(command(preview), { cwd: dir, binDir, env })
    expect(result.code, describeRun(result)).toBe(0)
    expect(result.stdout).toContain('"type":"identify"')
    expect(result.stdout).toContain("rfm_segment")
  })

  it("sends one identify per customer with the query's traits, then only the customers whose traits changed", async () => {
    const before = await rfmTable()
    expect(before.size).toBe(CUSTOMERS)
    const first = await withReceiver(dir, "day-1", (endpoint) => runBash(command(sync), { cwd: dir, binDir, endpoint, env }))
    expect(first.result.code, describeRun(first.result)).toBe(0)
    expect(first.received).toHaveLength(CUSTOMERS)
    for (const message of first.received) {
      expect(message.type).toBe("identify")
      expect(Object.keys(message.traits ?? {}).sort()).toEqual(TRAITS)
      const row = before.get(message.userId!)!
      expect(message.traits).toEqual({
        recency_days: row.recency_days,
        frequency: row.frequency,
        monetary: Number(row.monetary),
        rfm_score: row.rfm_score,
        rfm_segment: row.rfm_segment
      })
    }

    // A day of new orders: three customers buy a lot; quintiles may move for others too.
    await database.client.query(
      `insert into shop.orders select customer_id, now(), 500 from (values ('c-003'), ('c-017'), ('c-042')) as buyers(customer_id)`
    )
    const after = await rfmTable()
    const changed = [...after.values()]
      .filter((row) => {
        const last = before.get(row.customer_id)!
        const moneyMoved = Math.abs(Number(row.monetary) - Number(last.monetary)) >= 0.05 * Math.abs(Number(last.monetary))
        return row.frequency !== last.frequency || row.rfm_score !== last.rfm_score || row.rfm_segment !== last.rfm_segment || moneyMoved
      })
      .map((row) => row.customer_id)
      .sort()
    expect(changed).toEqual(expect.arrayContaining(["c-003", "c-017", "c-042"]))
    expect(changed.length).toBeLessThan(CUSTOMERS)

    const second = await withReceiver(dir, "day-2", (endpoint) => runBash(command(sync), { cwd: dir, binDir, endpoint, env }))
    expect(second.result.code, describeRun(second.result)).toBe(0)
    expect(second.received.map((message) => message.userId).sort()).toEqual(changed)
  })
})
