import { mkdtemp, readFile, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import type pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { runCli } from "../testing/runCli.ts"
import { connectTestDatabase, pgEnv } from "../testing/warehouse.ts"

const plan = {
  rules: [
    {
      type: "TRACK",
      key: "Churn Scored",
      version: 2,
      jsonSchema: {
        $schema: "http://json-schema.org/draft-07/schema#",
        type: "object",
        properties: {
          properties: {
            type: "object",
            properties: {
              churnScore: { type: "number" },
              Tier: { type: "number" },
              rfm: { type: "object", properties: { recency: { type: "integer" } } },
              segmentName: { type: "string" }
            },
            required: ["churnScore", "segmentName"]
          }
        }
      }
    },
    { type: "TRACK", key: "Tier Changed", version: 1, jsonSchema: { properties: { properties: { properties: { tier: { type: "string" } } } } } }
  ]
}

const CSV = "customer_id,churn_score,tier,rfm_recency,scored_at\nc1,0.5,gold,3,2026-11-27T03:00:00Z\nc2,0.25,silver,5,2026-11-27T03:00:00Z\n"

describe("tablecast inspect --tracking-plan", () => {
  it("proposes the plan's event, renames columns whose names differ in case and underscores, names misfits and missing properties", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "tablecast-inspect-tp-"))
    await writeFile(path.join(dir, "churn.csv"), CSV)
    await writeFile(path.join(dir, "plan.json"), JSON.stringify(plan))
    const text = await runCli(["inspect", "-f", "churn.csv", "--tracking-plan", "plan.json"], { cwd: dir })
    expect(text.code, text.stderr).toBe(0)
    expect(text.stdout).toContain('TRACK "Churn Scored" v2 of plan.json: 2 of its 4 properties supplied by the columns')
    expect(text.stdout).toContain('property "churnScore" <- column "churn_score" (renamed)')
    expect(text.stdout).toContain('property "rfm.recency" <- column "rfm_recency" (renamed)')
    expect(text.stdout).toContain('property "Tier": plan says number, column tier is text')
    expect(text.stdout).toContain('required property "segmentName": no column supplies it')
    expect(text.stdout).toContain('other rule TRACK "Tier Changed" v1: 1 of its 1 properties supplied')

    const json = await runCli(["inspect", "-f", "churn.csv", "--tracking-plan", "plan.json", "--json"], { cwd: dir })
    expect(json.code, json.stderr).toBe(0)
    const { proposal } = JSON.parse(json.stdout) as {
      proposal: { spec: Record<string, unknown>; trackingPlan: { rule: { missingRequired: Array<string>; misfits: Array<{ column: string }> } } }
    }
    expect(proposal.spec).toMatchObject({
      type: "track",
      event: "Churn Scored",
      customerId: "customer_id",
      properties: ["churn_score", "rfm_recency"],
      rename: { churn_score: "churnScore", rfm_recency: "rfm.recency" },
      columns: { rfm_recency: "integer" }
    })
    expect(proposal.trackingPlan.rule.missingRequired).toEqual(["segmentName"])
    expect(proposal.trackingPlan.rule.misfits.map((misfit) => misfit.column)).toEqual(["tier"])
  })

  it("writes the proposal with the plan as the sync's trackingPlan, which then runs", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "tablecast-inspect-tp-"))
    await writeFile(path.join(dir, "churn.csv"), CSV)
    const satisfiable = structuredClone(plan)
    satisfiable.rules[0]!.jsonSchema.properties.properties.required = ["churnScore"]
    await writeFile(path.join(dir, "plan.json"), JSON.stringify(satisfiable))
    const written = await runCli(
      ["inspect", "-f", "churn.csv", "--tracking-plan", "plan.json", "--write-config", "conf/tablecast.config.json", "--name", "churn"],
      {
        cwd: dir
      }
    )
    expect(written.code, written.stderr).toBe(0)
    const config = JSON.parse(await readFile(path.join(dir, "conf/tablecast.config.json"), "utf8")) as {
      syncs: Record<string, Record<string, unknown>>
    }
    // Where the config file finds the plan: relative to its folder.
    expect(config.syncs.churn!.trackingPlan).toBe("../plan.json")
    const dryRun = await runCli(["sync", "churn", "--config", "conf/tablecast.config.json", "--dry-run", "--json"], { cwd: dir })
    expect(dryRun.code, dryRun.stdout + dryRun.stderr).toBe(0)
    expect((JSON.parse(dryRun.stdout) as { rows: { mapped: number; rejected: number } }).rows).toMatchObject({ mapped: 2, rejected: 0 })

    // The entry's plan is the sync's: a plan that requires what no column supplies stops every row.
    await writeFile(path.join(dir, "plan.json"), JSON.stringify(plan))
    const stopped = await runCli(["sync", "churn", "--config", "conf/tablecast.config.json", "--dry-run", "--json"], { cwd: dir })
    expect(stopped.code, stopped.stderr).toBe(3)
    expect(stopped.stdout).toContain("properties.segmentName: required property missing")
  })

  it("exits 2 naming the flag and the file when the plan cannot be read", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "tablecast-inspect-tp-"))
    await writeFile(path.join(dir, "churn.csv"), CSV)
    await writeFile(path.join(dir, "broken.json"), '{"rules": [{"type": "TRACK", "jsonSchema": {}}]}')
    const missing = await runCli(["inspect", "-f", "churn.csv", "--tracking-plan", "nope.json"], { cwd: dir })
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/--tracking-plan: tracking plan nope\.json: no such file/)
    const broken = await runCli(["inspect", "-f", "churn.csv", "--tracking-plan", "broken.json"], { cwd: dir })
    expect(broken.code).toBe(2)
    expect(broken.stderr).toMatch(/broken\.json \(rules\[0\]\.key\): a track rule needs its event name/)
  })
})

describe("tablecast inspect --tracking-plan, on Postgres's declared types", () => {
  let db: pg.Client | undefined
  const schema = "tc_cli_inspect_tracking_plan"
  beforeAll(async () => {
    db = await connectTestDatabase()
    if (db === undefined) return
    await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`)
    await db.query(`CREATE TABLE ${schema}.churn_scores (user_id text PRIMARY KEY, churn_score numeric(5,3) NOT NULL, tier text, decile int)`)
    await db.query(`INSERT INTO ${schema}.churn_scores VALUES ('u1', 0.5, 'gold', 3), ('u2', 0.25, 'silver', 7)`)
  })
  afterAll(async () => {
    if (db !== undefined) {
      await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      await db.end()
    }
  })

  it("takes an integer column for an integer property, and names a text column the plan wants as a number", async () => {
    if (db === undefined) return
    const dir = await mkdtemp(path.join(tmpdir(), "tablecast-inspect-tp-"))
    const warehousePlan = {
      rules: [
        {
          type: "TRACK",
          key: "Churn Scored",
          jsonSchema: {
            properties: {
              properties: {
                properties: { ChurnScore: { type: "number" }, tier: { type: "number" }, decile: { type: "integer" } },
                required: ["ChurnScore"]
              }
            }
          }
        }
      ]
    }
    await writeFile(path.join(dir, "plan.json"), JSON.stringify(warehousePlan))
    const args = ["inspect", "--postgres", "env", "--table", `${schema}.churn_scores`, "--tracking-plan", "plan.json"]
    const result = await runCli(args, { cwd: dir, env: pgEnv() })
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toContain('property "tier": plan says number, column tier is text')
    expect(result.stdout).toContain('property "ChurnScore" <- column "churn_score" (renamed)')
    const json = JSON.parse((await runCli([...args, "--json"], { cwd: dir, env: pgEnv() })).stdout) as {
      proposal: { spec: Record<string, unknown> }
    }
    // A warehouse's integer needs no declared type: it is sent as the whole number it is.
    expect(json.proposal.spec).toMatchObject({
      customerId: "user_id",
      properties: ["churn_score", "decile"],
      rename: { churn_score: "ChurnScore" }
    })
    expect((json.proposal.spec.columns as Record<string, string> | undefined)?.decile).toBeUndefined()
  })
})
