import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { mkdtemp, readFile, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import type { DeliveryReport } from "@tablecast/core"
import { type Sink, startSink } from "@tablecast/sink"
import { compileTrackingPlan, parseTrackingPlan } from "@tablecast/tracking-plan"
import type pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { runCli } from "../testing/runCli.ts"
import { connectTestDatabase, pgEnv } from "../testing/warehouse.ts"

type Schema = { type?: unknown; enum?: unknown; format?: unknown; properties?: Record<string, Schema>; required?: Array<string> }
interface WrittenPlan {
  rules: Array<{ type: string; key?: string; version: number; jsonSchema: { properties: Record<string, Schema> } }>
}

const TIERS = ["gold", "silver", "bronze"]
/** Churn scores as a model writes them: a score, a tier of three, a whole recency, a note mostly empty. */
const churnCsv = (rows: number, score: (n: number) => string = (n) => String((n % 100) / 100)): string => {
  let text = "customer_id,churn_score,tier,rfm_recency,note,scored_at\n"
  for (let n = 1; n <= rows; n++) {
    text += `c${n},${score(n)},${TIERS[n % 3]},${n % 30},${n % 10 === 0 ? "called" : ""},2026-11-27T03:00:00Z\n`
  }
  return text
}

const MAPPING = ["-e", "Churn Scored", "-u", "customer_id", "--timestamp", "scored_at", "--rename", "rfm_recency=rfm.recency"]

let sink: Sink
beforeAll(async () => {
  sink = await startSink()
})
afterAll(async () => {
  await sink?.close()
})

/** The messages `preview` builds for a file, checked against a plan with the tracking-plan package's own check. */
const violationsOfPreview = async (
  args: ReadonlyArray<string>,
  planFile: string,
  cwd: string,
  env: Record<string, string> = {}
): Promise<ReadonlyArray<string>> => {
  const preview = await runCli(["preview", ...args, "--json", "-n", "10000"], { cwd, env })
  expect(preview.code, preview.stderr).toBe(0)
  const { messages } = JSON.parse(preview.stdout) as { messages: Array<Record<string, unknown>> }
  expect(messages.length).toBeGreaterThan(0)
  const plan = compileTrackingPlan(parseTrackingPlan(JSON.parse(await readFile(planFile, "utf8")), planFile), planFile)
  return messages.flatMap((message) => plan.check(message).violations.map((violation) => violation.text))
}

const syncWithPlan = (args: ReadonlyArray<string>, cwd: string, env: Record<string, string> = {}) =>
  runCli(["sync", ...args, "--endpoint", sink.url, "--json", "--no-checkpoint"], { cwd, env: { SEGMENT_WRITE_KEY: "k", ...env } })

describe("tablecast tracking-plan, from a CSV file", () => {
  it("writes a plan in Segment's Public API format from the file's inferred types, which the sync's messages pass", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "tablecast-tp-"))
    await writeFile(path.join(dir, "churn.csv"), churnCsv(300))
    const written = await runCli(["tracking-plan", "-f", "churn.csv", ...MAPPING, "--enum-max", "5", "--out", "plan.json"], { cwd: dir })
    expect(written.code, written.stderr).toBe(0)
    expect(written.stdout).toBe("")
    expect(written.stderr).toMatch(/wrote the tracking plan to plan\.json from 300 rows/)
    expect(written.stderr).toMatch(/TRACK "Churn Scored": 4 properties, 3 required/)
    const plan = JSON.parse(await readFile(path.join(dir, "plan.json"), "utf8")) as WrittenPlan
    expect(parseTrackingPlan(plan, "plan.json").rules.map((rule) => [rule.call, rule.event])).toEqual([["track", "Churn Scored"]])
    const payload = plan.rules[0]!.jsonSchema.properties.properties!
    expect(payload.properties!.churn_score!.type).toBe("number")
    expect(payload.properties!.tier).toMatchObject({ type: "string", enum: ["bronze", "gold", "silver"] })
    expect(payload.properties!.rfm!.properties!.recency!.type).toBe("number")
    expect(payload.properties!.note!.type).toEqual(["string", "null"])
    expect(payload.required).toEqual(["churn_score", "tier", "rfm"])

    // Round trip: every message of the same file passes the plan written from it.
    expect(await violationsOfPreview(["-f", "churn.csv", ...MAPPING], path.join(dir, "plan.json"), dir)).toEqual([])
    const sent = await syncWithPlan(["-f", "churn.csv", ...MAPPING, "--tracking-plan", "plan.json"], dir)
    expect(sent.code, sent.stderr).toBe(0)
    const report = JSON.parse(sent.stdout) as DeliveryReport
    expect(report.rows.rejected).toBe(0)
    expect(report.messages.accepted).toBe(300)

    // The model changes: a score turned to text. The plan stops those rows, naming the property.
    await writeFile(
      path.join(dir, "churn.csv"),
      churnCsv(300, (n) => (n % 50 === 0 ? "high" : String((n % 100) / 100)))
    )
    const stopped = await syncWithPlan(["-f", "churn.csv", ...MAPPING, "--tracking-plan", "plan.json"], dir)
    expect(stopped.code).not.toBe(0)
    const stoppedReport = JSON.parse(stopped.stdout) as DeliveryReport
    // The column is now text in every row (a file's column is one type): no row passes.
    expect(stoppedReport.messages.accepted).toBe(0)
    expect(JSON.stringify(stoppedReport)).toMatch(/properties\.churn_score: must be number/)
  })

  it("prints the plan on stdout without --out, and writes IDENTIFY and GROUP rules for traits", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "tablecast-tp-"))
    await writeFile(path.join(dir, "accounts.csv"), "user_id,account_id,plan,seats\nu1,acme,pro,12\nu2,globex,free,3\nu3,initech,pro,40\n")
    const args = ["-f", "accounts.csv", "--type", "identify,group", "-u", "user_id", "--group-id", "account_id", "--column", "seats=integer"]
    const result = await runCli(["tracking-plan", ...args], { cwd: dir })
    expect(result.code, result.stderr).toBe(0)
    const plan = JSON.parse(result.stdout) as WrittenPlan
    expect(plan.rules.map((rule) => rule.type)).toEqual(["IDENTIFY", "GROUP"])
    expect(plan.rules[1]!.jsonSchema.properties.traits!.properties!.seats!.type).toBe("integer")
    await writeFile(path.join(dir, "plan.json"), result.stdout)
    expect(await violationsOfPreview(args, path.join(dir, "plan.json"), dir)).toEqual([])
  })

  it("writes a sync's plan anew from all its rows, whatever plan the sync already has", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "tablecast-tp-"))
    await writeFile(path.join(dir, "churn.csv"), churnCsv(20))
    const old = { rules: [{ type: "TRACK", key: "Churn Scored", jsonSchema: { properties: { properties: { required: ["churn_band"] } } } }] }
    await writeFile(path.join(dir, "old.json"), JSON.stringify(old))
    const entry = { source: { type: "csv", path: "churn.csv" }, event: "Churn Scored", customerId: "customer_id", trackingPlan: "old.json" }
    await writeFile(path.join(dir, "tablecast.config.json"), JSON.stringify({ syncs: { churn: entry } }))
    const result = await runCli(["tracking-plan", "churn", "--out", "new.json"], { cwd: dir })
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).not.toMatch(/warning/)
    expect(result.stderr).toMatch(/from 20 rows/)
    const payload = (JSON.parse(await readFile(path.join(dir, "new.json"), "utf8")) as WrittenPlan).rules[0]!.jsonSchema.properties.properties!
    expect(payload.required).toEqual(["churn_score", "tier", "rfm_recency", "scored_at"])
  })

  it("reads --sample-rows rows that map, naming the rows the sync itself would reject", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "tablecast-tp-"))
    // Row 5 has no customer id: the sync would reject it. Rows 22 on have no score: past the sample, unseen.
    const lines = churnCsv(60, (n) => (n > 21 ? "" : String(n / 100))).split("\n")
    lines[5] = lines[5]!.replace(/^c5,/, ",")
    await writeFile(path.join(dir, "churn.csv"), lines.join("\n"))
    const result = await runCli(["tracking-plan", "-f", "churn.csv", ...MAPPING, "--sample-rows", "20", "--out", "plan.json"], { cwd: dir })
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toMatch(/warning: 1 of the 21 rows read would be rejected by the sync itself \(row 5: /)
    expect(result.stderr).toMatch(/from 21 rows/)
    const payload = (JSON.parse(await readFile(path.join(dir, "plan.json"), "utf8")) as WrittenPlan).rules[0]!.jsonSchema.properties.properties!
    expect(payload.properties!.churn_score!.type).toBe("number")
    expect(payload.required).toEqual(["churn_score", "tier", "rfm"])
  })

  it("exits 2 on bad flags, 11 when the --out file cannot be written, 6 when the source fails", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "tablecast-tp-"))
    await writeFile(path.join(dir, "churn.csv"), churnCsv(3))
    expect((await runCli(["tracking-plan", "-f", "churn.csv", ...MAPPING, "--enum-max", "0"], { cwd: dir })).code).toBe(2)
    const unwritable = await runCli(["tracking-plan", "-f", "churn.csv", ...MAPPING, "--out", "churn.csv/plan.json"], { cwd: dir })
    expect(unwritable.code).toBe(11)
    expect(unwritable.stderr).toMatch(/--out/)
    const missing = await runCli(["tracking-plan", "-f", "nope.csv", ...MAPPING], { cwd: dir })
    expect(missing.code).toBe(6)
    expect(missing.stderr).toMatch(/nope\.csv/)
  })
})

describe("tablecast tracking-plan, from Postgres's declared types", () => {
  let db: pg.Client | undefined
  const schema = "tc_cli_tracking_plan"
  beforeAll(async () => {
    db = await connectTestDatabase()
    if (db === undefined) return
    await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`)
    await db.query(
      `CREATE TABLE ${schema}.churn_scores (user_id text PRIMARY KEY, churn_score numeric(5,3) NOT NULL, decile int, tier text NOT NULL,
       at_risk boolean NOT NULL, model_run_at timestamptz NOT NULL, scored_at timestamptz NOT NULL)`
    )
    await db.query(
      `INSERT INTO ${schema}.churn_scores SELECT 'u' || g, round((g % 1000) / 1000.0, 3), CASE WHEN g % 7 = 0 THEN NULL ELSE 1 + g % 10 END,
       (ARRAY['gold','silver','bronze'])[1 + g % 3], g % 4 = 0, timestamptz '2026-11-27 02:00:00+00',
       timestamptz '2026-11-27 03:00:00+00' + g * interval '1 second' FROM generate_series(1, 500) g`
    )
  })
  afterAll(async () => {
    if (db !== undefined) {
      await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      await db.end()
    }
  })

  it("types each property from its declared type, requires the columns never empty, and the sync passes its own plan", async () => {
    if (db === undefined) return
    const dir = await mkdtemp(path.join(tmpdir(), "tablecast-tp-"))
    const source = ["--postgres", "env", "--table", `${schema}.churn_scores`, "-e", "Churn Scored", "-u", "user_id", "--timestamp", "scored_at"]
    const written = await runCli(["tracking-plan", ...source, "--enum-max", "3", "--out", "plan.json"], { cwd: dir, env: pgEnv() })
    expect(written.code, written.stderr).toBe(0)
    const plan = JSON.parse(await readFile(path.join(dir, "plan.json"), "utf8")) as WrittenPlan
    const payload = plan.rules[0]!.jsonSchema.properties.properties!
    expect(payload.properties).toMatchObject({
      churn_score: { type: "number" },
      decile: { type: ["integer", "null"] },
      tier: { type: "string", enum: ["bronze", "gold", "silver"] },
      at_risk: { type: "boolean" },
      model_run_at: { type: "string", format: "date-time" }
    })
    expect(payload.required).toEqual(["churn_score", "tier", "at_risk", "model_run_at"])
    expect(await violationsOfPreview(source, path.join(dir, "plan.json"), dir, pgEnv())).toEqual([])
    const sent = await syncWithPlan([...source, "--tracking-plan", "plan.json"], dir, pgEnv())
    expect(sent.code, sent.stderr).toBe(0)
    expect((JSON.parse(sent.stdout) as DeliveryReport).messages.accepted).toBe(500)
  })
  it("requires, with no row to read, the columns a dbt model tests not_null", async () => {
    if (db === undefined) return
    await db.query(`CREATE TABLE ${schema}.dbt_scores (account_id bigint, customer_id bigint, churn_score numeric(6,4), segment text)`)
    const fixtures = path.resolve(import.meta.dirname, "../../../../packages/config/src/dbt/fixtures")
    const manifest = JSON.parse(readFileSync(path.join(fixtures, "manifest-v12-postgres.json"), "utf8"))
    manifest.nodes["model.churn.churn_scores"].schema = schema
    manifest.nodes["model.churn.churn_scores"].relation_name = `"${process.env.PGDATABASE}"."${schema}"."dbt_scores"`
    const project = mkdtempSync(path.join(tmpdir(), "tablecast-tp-dbt-"))
    mkdirSync(path.join(project, "target"))
    writeFileSync(path.join(project, "target", "manifest.json"), JSON.stringify(manifest))
    const result = await runCli(
      [
        "tracking-plan",
        "--postgres",
        "env",
        "--dbt-model",
        "churn.churn_scores",
        "--dbt-project",
        project,
        "-e",
        "Churn Scored",
        "-u",
        "customer_id"
      ],
      { env: pgEnv() }
    )
    expect(result.code, result.stderr).toBe(0)
    const payload = (JSON.parse(result.stdout) as WrittenPlan).rules[0]!.jsonSchema.properties.properties!
    expect(payload.required).toEqual(["account_id"])
    expect(payload.properties).toMatchObject({
      account_id: { type: "integer" },
      churn_score: { type: ["number", "null"] },
      segment: { type: ["string", "null"] }
    })
  })
})
