import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import type { DeliveryReport } from "@tablecast/core"
import { type Sink, startSink } from "@tablecast/sink"
import type pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { readJsonl } from "../testing/readJsonl.ts"
import { runCli } from "../testing/runCli.ts"
import { connectTestDatabase, pgEnv } from "../testing/warehouse.ts"

const SCHEMA = "tc_cli_plan_removals"
const WRITE_KEY = "wk_test_pg_removals_41b7"

/** segment one of three; the removal event must carry a reason, which tablecast's removals do not. */
const plan = {
  rules: [
    {
      type: "TRACK",
      key: "Churn Scored",
      version: 1,
      jsonSchema: { properties: { properties: { properties: { segment: { enum: ["high", "medium", "low"] } }, required: ["segment"] } } }
    },
    { type: "TRACK", key: "Segment Exited", version: 1, jsonSchema: { properties: { properties: { required: ["reason"] } } } }
  ]
}

type Report = DeliveryReport & { incremental: { diffInDatabase?: boolean; rows: { removalsRejected?: number; changed: number } } }

describe("an incremental Postgres sync's removals against the tracking plan (diff in the database)", () => {
  let db: pg.Client | undefined
  let sink: Sink | undefined
  let dir: string
  let received: string

  beforeAll(async () => {
    db = await connectTestDatabase()
    if (db === undefined) return
    await db.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`)
    await db.query(`CREATE SCHEMA ${SCHEMA}`)
    await db.query(`CREATE TABLE ${SCHEMA}.scores (customer_id text PRIMARY KEY, churn_score double precision, segment text)`)
    await db.query(`INSERT INTO ${SCHEMA}.scores SELECT 'c' || n, n / 100.0, 'low' FROM generate_series(1, 40) AS n`)
    dir = await mkdtemp(path.join(tmpdir(), "tablecast-pg-removals-"))
    await writeFile(path.join(dir, "plan.json"), JSON.stringify(plan))
    received = path.join(dir, "received.jsonl")
    sink = await startSink({ out: received, writeKeys: [WRITE_KEY] })
  })
  afterAll(async () => {
    await sink?.close()
    await db?.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`)
    await db?.end()
  })

  const sync = (mode: "reject" | "warn") =>
    runCli(
      [
        "sync",
        "--postgres",
        "env",
        "--table",
        `${SCHEMA}.scores`,
        "-e",
        "Churn Scored",
        "-u",
        "customer_id",
        "--name",
        `removals-${path.basename(dir)}`,
        "--key",
        "customer_id",
        "--mode",
        "all",
        "--max-removed",
        "100%",
        "--state-postgres",
        "env",
        "--tracking-plan",
        "plan.json",
        "--tracking-plan-mode",
        mode,
        "--rejects",
        "rejects.jsonl",
        "--endpoint",
        sink!.url,
        "--json"
      ],
      { cwd: dir, env: { SEGMENT_WRITE_KEY: WRITE_KEY, ...pgEnv() } }
    )

  it("reject stops the removal and keeps its key; warn sends it and lists it with the warned rows", async (context) => {
    if (db === undefined) return context.skip()
    const first = await sync("reject")
    expect(first.code, first.stderr).toBe(0)
    await db.query(`DELETE FROM ${SCHEMA}.scores WHERE customer_id = 'c5'`)
    await db.query(`UPDATE ${SCHEMA}.scores SET segment = 'extreme' WHERE customer_id IN ('c2', 'c3')`)
    const stopped = await sync("reject")
    expect(stopped.code, stopped.stderr).toBe(3)
    const report = JSON.parse(stopped.stdout) as Report
    expect(report.incremental.diffInDatabase).toBe(true)
    expect(report.incremental.rows.removalsRejected).toBe(1)
    expect((await readJsonl(path.join(dir, "rejects.jsonl"))).map((reject) => reject.reason)).toEqual([
      'properties.segment: must be one of "high", "medium", "low", got "extreme" (TRACK "Churn Scored" v1)',
      'properties.segment: must be one of "high", "medium", "low", got "extreme" (TRACK "Churn Scored" v1)',
      'removed key ["c5"]: properties.reason: required property missing (TRACK "Segment Exited" v1)'
    ])
    const warned = await sync("warn")
    expect(warned.code, warned.stderr).toBe(0)
    const warnedReport = JSON.parse(warned.stdout) as Report
    expect(warnedReport.trackingPlan?.warningsFile).toBe("rejects.warnings.jsonl")
    const lines = await readJsonl(path.join(dir, "rejects.warnings.jsonl"))
    expect(lines.map((line) => line.removedKey ?? (line.values as { customer_id: string }).customer_id)).toEqual(["c2", "c3", '["c5"]'])
    await sink!.close()
    const exited = (await readJsonl(received)).filter((message) => message.event === "Segment Exited")
    expect(exited.map((message) => (message.properties as { customer_id: string }).customer_id)).toEqual(["c5"])
  })
})
