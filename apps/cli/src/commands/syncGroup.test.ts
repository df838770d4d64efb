import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import type { DeliveryReport } from "@tablecast/core"
import { type Sink, startSink } from "@tablecast/sink"
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest"
import { readJsonl } from "../testing/readJsonl.ts"
import { runCli } from "../testing/runCli.ts"
import { connectTestDatabase, pgEnv } from "../testing/warehouse.ts"

const WRITE_KEY = "wk_test_group_8d1f"
const env = { SEGMENT_WRITE_KEY: WRITE_KEY }

interface Account {
  readonly account_id: string
  readonly owner_id: string
  readonly name: string
  readonly industry: string
  readonly employees: number
  readonly churn_risk: number
}
const accounts = (count: number, change: (index: number) => Partial<Account> = () => ({})): ReadonlyArray<Account> =>
  Array.from({ length: count }, (_, i) => ({
    account_id: `acct-${i + 1}`,
    owner_id: `u-${i + 1}`,
    name: `Account ${i + 1}`,
    industry: ["Retail", "Energy", "Software"][i % 3]!,
    employees: 10 * (i + 1),
    churn_risk: ((i * 37) % 100) / 100,
    ...change(i + 1)
  }))
const csvOf = (rows: ReadonlyArray<Account>) =>
  `account_id,owner_id,name,industry,employees,churn_risk\n${rows
    .map((row) => [row.account_id, row.owner_id, row.name, row.industry, row.employees, row.churn_risk].join(","))
    .join("\n")}\n`

let dir: string
let sink: Sink
let received: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "tablecast-group-"))
  received = path.join(dir, "received.jsonl")
  sink = await startSink({ out: received, writeKeys: [WRITE_KEY] })
})
afterEach(async () => {
  await sink.close()
})

const mapping = [
  "--group-id",
  "account_id",
  "-u",
  "owner_id",
  "--traits",
  "name,industry,employees,churn_risk",
  "--rename",
  "churn_risk=scores.churn"
]

/** The group calls the receiver holds, by groupId. */
const groupCalls = async () => {
  await sink.close()
  const messages = await readJsonl(received)
  return messages.filter((message) => message.type === "group")
}

const expectAccountCall = (call: Record<string, unknown> | undefined, account: Account) =>
  expect(call).toMatchObject({
    type: "group",
    userId: account.owner_id,
    groupId: account.account_id,
    traits: { name: account.name, industry: account.industry, employees: account.employees, scores: { churn: account.churn_risk } }
  })

describe("tablecast sync --type group", () => {
  it("delivers identify and group calls from CSV: groupId, traits and the member tie; a row without a group id is rejected by name", async () => {
    const rows = accounts(40)
    await writeFile(path.join(dir, "accounts.csv"), `${csvOf(rows)},u-41,Nameless,Retail,1,0.5\n`)
    const result = await runCli(
      ["sync", "-f", "accounts.csv", "--type", "identify,group", ...mapping, "--endpoint", sink.url, "--rejects", "rejects.jsonl", "--json"],
      { cwd: dir, env }
    )
    expect(result.code, result.stderr).toBe(3)
    const report = JSON.parse(result.stdout) as DeliveryReport
    expect(report.rows).toMatchObject({ read: 41, mapped: 40, rejected: 1 })
    expect(report.messages.accepted).toBe(80)
    const rejects = await readJsonl(path.join(dir, "rejects.jsonl"))
    expect(rejects).toEqual([
      expect.objectContaining({ row: 41, stage: "validation", column: "account_id", reason: 'group id column "account_id" is empty' })
    ])

    const messages = await readJsonl(received)
    expect(messages.slice(0, 2).map((message) => message.type)).toEqual(["identify", "group"])
    const calls = await groupCalls()
    expect(calls).toHaveLength(40)
    for (const [index, account] of rows.entries()) expectAccountCall(calls[index], account)
  })

  it("takes the calls and the group id from the config file, and preview shows the group calls", async () => {
    await writeFile(path.join(dir, "accounts.csv"), csvOf(accounts(5)))
    const entry = {
      source: { type: "csv", path: "accounts.csv" },
      type: ["group"],
      customerId: "owner_id",
      groupId: "account_id",
      traits: ["name", "industry"],
      destination: { endpoint: sink.url }
    }
    await writeFile(path.join(dir, "tablecast.config.json"), JSON.stringify({ syncs: { accounts: entry } }))
    const preview = await runCli(["preview", "accounts", "--limit", "2"], { cwd: dir })
    expect(preview.code, preview.stderr).toBe(0)
    expect(preview.stdout + preview.stderr).toMatch(/account_id\s+string\s+groupId/)
    expect(preview.stdout).toContain('{"type":"group","userId":"u-1","groupId":"acct-1","traits":{"name":"Account 1","industry":"Retail"}')

    const result = await runCli(["sync", "accounts", "--json"], { cwd: dir, env })
    expect(result.code, result.stderr).toBe(0)
    const calls = await groupCalls()
    expect(calls.map((call) => call.groupId)).toEqual(["acct-1", "acct-2", "acct-3", "acct-4", "acct-5"])
  })

  it("inspect proposes group calls for a table of accounts, and the written config entry runs", async () => {
    await writeFile(path.join(dir, "accounts.csv"), csvOf(accounts(12)))
    const written = await runCli(["inspect", "-f", "accounts.csv", "--write-config", "tablecast.config.json", "--name", "accounts"], { cwd: dir })
    expect(written.code, written.stderr).toBe(0)
    expect(written.stdout).toContain('groupId "account_id"')
    const result = await runCli(["sync", "accounts", "--endpoint", sink.url, "--json"], { cwd: dir, env })
    expect(result.code, result.stderr).toBe(0)
    const calls = await groupCalls()
    expect(calls).toHaveLength(12)
    expect(calls[0]).toMatchObject({
      userId: "u-1",
      groupId: "acct-1",
      traits: { name: "Account 1", industry: "Retail", employees: 10, churn_risk: 0 }
    })
  })

  it("names an unknown call type and a group sync without --group-id (exit 2)", async () => {
    await writeFile(path.join(dir, "accounts.csv"), csvOf(accounts(1)))
    const unknown = await runCli(["sync", "-f", "accounts.csv", "--type", "identify,page", "-u", "owner_id", "--endpoint", sink.url], {
      cwd: dir,
      env
    })
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('unknown call type "page"')
    const noGroupId = await runCli(["sync", "-f", "accounts.csv", "--type", "group", "-u", "owner_id", "--endpoint", sink.url], { cwd: dir, env })
    expect(noGroupId.code).toBe(2)
    expect(noGroupId.stderr).toContain("--group-id")
  })

  it("an incremental group sync keyed on the group id sends only the changed accounts", async () => {
    const file = path.join(dir, "accounts.csv")
    const sync = (extra: ReadonlyArray<string> = []) =>
      runCli(["sync", "-f", file, "--type", "group", ...mapping, "--key", "account_id", "--endpoint", sink.url, "--json", ...extra], {
        cwd: dir,
        env
      })
    await writeFile(file, csvOf(accounts(200)))
    const first = await sync()
    expect(first.code, first.stderr).toBe(0)
    expect(sink.stats().messagesAccepted).toBe(200)

    const changed = accounts(200, (index) => (index === 7 || index === 150 ? { churn_risk: 0.99 } : {}))
    await writeFile(file, csvOf(changed))
    const plan = await runCli(["plan", "-f", file, "--type", "group", ...mapping, "--key", "account_id", "--json"], { cwd: dir })
    expect(plan.code, plan.stderr).toBe(0)
    expect(JSON.parse(plan.stdout)).toMatchObject({ rows: { changed: 2, unchanged: 198 }, send: { messages: 2 } })

    const second = await sync(["--max-changed", "100%"])
    expect(second.code, second.stderr).toBe(0)
    expect(sink.stats().messagesAccepted).toBe(202)
    const calls = await groupCalls()
    expect(calls.slice(200).map((call) => call.groupId)).toEqual(["acct-7", "acct-150"])
    expectAccountCall(calls[201], changed[149]!)
  })
})

const client = await connectTestDatabase()
const SCHEMA = `tablecast_cli_group_${process.pid}`
afterAll(async () => {
  await client?.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`)
  await client?.end()
})

describe.skipIf(client === undefined)("tablecast sync --type group from Postgres (the test server)", () => {
  it("delivers a group call per account with its traits, tied to the owner", async () => {
    const rows = accounts(30)
    await client!.query(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`)
    await client!.query(
      `CREATE TABLE ${SCHEMA}.accounts (account_id text PRIMARY KEY, owner_id text NOT NULL, name text, industry text, employees integer, churn_risk numeric(4,2))`
    )
    for (const row of rows) {
      await client!.query(`INSERT INTO ${SCHEMA}.accounts VALUES ($1, $2, $3, $4, $5, $6)`, [
        row.account_id,
        row.owner_id,
        row.name,
        row.industry,
        row.employees,
        row.churn_risk
      ])
    }
    const result = await runCli(
      [
        "sync",
        "--postgres",
        "env",
        "--query",
        `select * from ${SCHEMA}.accounts order by employees`,
        "--type",
        "group",
        ...mapping,
        "--endpoint",
        sink.url,
        "--json"
      ],
      { cwd: dir, env: { ...env, ...pgEnv() } }
    )
    expect(result.code, result.stderr).toBe(0)
    const calls = await groupCalls()
    expect(calls).toHaveLength(30)
    for (const [index, account] of rows.entries()) expectAccountCall(calls[index], account)
  })
})
