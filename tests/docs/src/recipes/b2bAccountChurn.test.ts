import path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createRecipeDatabase, type RecipeDatabase } from "../support/Database.ts"
import { type Recipe, readRecipe } from "../support/RecipeBlocks.ts"
import { withReceiver } from "../support/Receiver.ts"
import { describeRun, runBash, TEST_WRITE_KEY, writeTablecastShim } from "../support/Shell.ts"
import { makeWorkdir, type ReceivedMessage } from "../support/Workdir.ts"

// docs/recipes/b2b-account-churn.md, run as printed: its plan and its sync over a real table of
// account churn scores, against a `tablecast sink`.

const ACCOUNTS = 60

interface AccountRow {
  readonly account_id: string
  readonly owner_id: string
  readonly owner_email: string
  readonly owner_role: string
  readonly account_name: string
  readonly account_plan: string
  readonly churn_risk: string
  readonly expansion_score: string
}

let recipe: Recipe
let database: RecipeDatabase
let dir: string
let binDir: string
let env: Record<string, string>

const accountsTable = async (): Promise<Map<string, AccountRow>> => {
  const result = await database.client.query<AccountRow>("select * from analytics.account_churn")
  return new Map(result.rows.map((row) => [row.account_id, row]))
}

beforeAll(async () => {
  recipe = await readRecipe("b2b-account-churn.md")
  database = await createRecipeDatabase("tablecast_recipe_b2b")
  await database.client.query("create schema analytics")
  await database.client.query(
    `create table analytics.account_churn (
       account_id text primary key, owner_id text not null, owner_email text, owner_role text,
       account_name text, account_plan text, churn_risk numeric(4,3), expansion_score numeric(4,3), scored_at timestamptz)`
  )
  await database.client.query(
    `insert into analytics.account_churn
     select 'acct-' || n, 'u-' || n, 'owner' || n || '@example.test', case when n % 3 = 0 then 'admin' else 'billing' end,
            'Account ' || n, (array['starter', 'growth', 'enterprise'])[n % 3 + 1], ((n * 37) % 100) / 100.0, ((n * 11) % 100) / 100.0, now()
     from generate_series(1, $1) as n`,
    [ACCOUNTS]
  )
  dir = await makeWorkdir("b2b")
  binDir = path.join(dir, ".bin")
  await writeTablecastShim(binDir)
  env = { ...database.env, SEGMENT_WRITE_KEY: TEST_WRITE_KEY }
})

afterAll(async () => {
  await database?.close()
})

const [plan, sync] = [0, 1]
const command = (index: number) => {
  expect(recipe.commands.length, "the recipe's commands: the plan, then the sync").toBe(2)
  return recipe.commands[index]!.text
}

/** The plan's counts, from its JSON (the printed command with --json). */
const planCalls = async () => {
  const result = await runBash(`${command(plan).trimEnd()} --json`, { cwd: dir, binDir, env })
  expect(result.code, describeRun(result)).toBe(0)
  return (JSON.parse(result.stdout) as { send: { calls: Record<string, number> } }).send.calls
}

const expectCalls = (received: ReadonlyArray<ReceivedMessage>, accounts: Map<string, AccountRow>) => {
  for (const message of received) {
    const row = [...accounts.values()].find((account) => account.owner_id === message.userId)!
    if (message.type === "identify") {
      expect(message.traits).toEqual({ email: row.owner_email, role: row.owner_role })
    } else {
      expect(message.type).toBe("group")
      expect((message as ReceivedMessage & { groupId?: string }).groupId).toBe(row.account_id)
      expect(message.traits).toEqual({
        name: row.account_name,
        plan: row.account_plan,
        scores: { churn_risk: Number(row.churn_risk), expansion: Number(row.expansion_score) }
      })
    }
  }
}

describe("recipe: B2B account churn as group traits", () => {
  it("plans, sends the owner's traits on identify and the account's on group, then only the accounts that changed", async () => {
    const text = await runBash(command(plan), { cwd: dir, binDir, env })
    expect(text.code, describeRun(text)).toBe(0)
    expect(text.stdout).toContain(`calls       ${ACCOUNTS} identify, ${ACCOUNTS} group`)

    const before = await accountsTable()
    const first = await withReceiver(dir, "night-1", (endpoint) => runBash(command(sync), { cwd: dir, binDir, endpoint, env }))
    expect(first.result.code, describeRun(first.result)).toBe(0)
    expect(first.received.filter((message) => message.type === "identify")).toHaveLength(ACCOUNTS)
    expect(first.received.filter((message) => message.type === "group")).toHaveLength(ACCOUNTS)
    expectCalls(first.received, before)

    // The next night: two accounts' risk moves past the 0.02 tolerance, a third's only by 0.01.
    await database.client.query(
      `update analytics.account_churn set scored_at = now() + interval '1 day',
         churn_risk = case account_id when 'acct-5' then 0.9 when 'acct-9' then 0.05 when 'acct-12' then churn_risk + 0.01 else churn_risk end`
    )
    expect(await planCalls()).toEqual({ identify: 2, group: 2, track: 0 })
    const after = await accountsTable()
    const second = await withReceiver(dir, "night-2", (endpoint) => runBash(command(sync), { cwd: dir, binDir, endpoint, env }))
    expect(second.result.code, describeRun(second.result)).toBe(0)
    expect(second.received.map((message) => `${message.type} ${message.userId}`).sort()).toEqual([
      "group u-5",
      "group u-9",
      "identify u-5",
      "identify u-9"
    ])
    expectCalls(second.received, after)
  })
})
