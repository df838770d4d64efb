import { PipelineOptions, RejectSink, type RejectedRow, Sync, SyncSpec, Transport } from "@tablecast/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { layer } from "./SnowflakeSource.ts"
import type { SnowflakeSourceOptionsInput } from "./SnowflakeSourceOptions.ts"
import { startTestEnv } from "./SnowflakeTestEnv.testkit.ts"

const env = await startTestEnv()
const SCHEMA = "sf_column_types_test"

const withLogin = (options: Partial<SnowflakeSourceOptionsInput>): SnowflakeSourceOptionsInput => ({
  account: env!.account,
  user: env!.user,
  password: env!.password,
  accessUrl: env!.server.url,
  warehouse: "transforming",
  database: "analytics",
  loginRetries: 0,
  ...options
})

describe.skipIf(env === undefined)("SnowflakeSource: auto typing from the result's declared types, one type per column", () => {
  beforeAll(async () => {
    await env!.admin(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`)
    await env!.admin(`CREATE SCHEMA ${SCHEMA}`)
    await env!.admin(`CREATE TABLE ${SCHEMA}.orders (id int NOT NULL, monetary numeric(12, 2), huge numeric(38, 0), label text)`)
    await env!.admin(`
      INSERT INTO ${SCHEMA}.orders VALUES
        (1, 1520.50, 42, '12'), (2, 210.00, 12345678901234567890123456789, 'abc'), (3, 19.99, 7, '007'), (4, 4210.75, 9, '4210.75')`)
  })
  afterAll(async () => {
    await env?.close()
  })

  it("NUMBER(12,2) always numbers, NUMBER(38,0) numbers with a too-long value rejected, text always strings; the query runs once", async () => {
    const sent: Array<string> = []
    const transport = Layer.succeed(Transport, {
      endpoint: "memory",
      envelopeBytes: 60,
      send: (batch) =>
        Effect.sync(() => {
          sent.push(...batch.messages)
          return { status: 200, bodyBytes: batch.messageBytes }
        })
    })
    const rejects: Array<RejectedRow> = []
    const before = await env!.server.stats()
    const report = await Effect.runPromise(
      Sync.run({
        spec: SyncSpec.parse({ event: "Order", customerId: "ID" }),
        options: PipelineOptions.parse({}),
        library: { name: "tablecast", version: "0.0.0-test" }
      }).pipe(
        Effect.provide(
          Layer.mergeAll(
            layer(withLogin({ query: `SELECT id, monetary, huge, label FROM ${SCHEMA}.orders ORDER BY id` }), {}),
            transport,
            Layer.succeed(RejectSink, { write: (batch) => Effect.sync(() => void rejects.push(...batch)) })
          )
        )
      )
    )
    const after = await env!.server.stats()
    expect(after.queries - before.queries).toBe(1)
    expect(report.rows).toMatchObject({ read: 4, mapped: 3, rejected: 1 })
    const properties = sent.map((json) => (JSON.parse(json) as { properties: Record<string, unknown> }).properties)
    expect(properties).toEqual([
      { MONETARY: 1520.5, HUGE: 42, LABEL: "12" },
      { MONETARY: 19.99, HUGE: 7, LABEL: "007" },
      { MONETARY: 4210.75, HUGE: 9, LABEL: "4210.75" }
    ])
    expect(rejects.map(({ row, reason }) => ({ row, reason }))).toEqual([
      {
        row: 2,
        reason:
          'column "HUGE" is typed number (declared NUMBER(38,0)); "12345678901234567890123456789" has more digits than a JSON number carries exactly — use --column HUGE=string to send it as text'
      }
    ])
  })
})
