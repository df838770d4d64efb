import {
  type DeliveryReport,
  imbalanceOf,
  isMalformed,
  PipelineOptions,
  type RejectedRow,
  RejectSink,
  Sync,
  SyncSpec,
  Transport
} from "@tablecast/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { layer, make } from "./PostgresSource.ts"
import { findTestServer } from "./PostgresTestServer.testkit.ts"

// Issue 14: a json/jsonb value nested 6,000 deep (Postgres itself accepts about 10,000 under its
// default max_stack_depth of 2 MB) overflowed the serializer, and the run took the exception for the
// end of the table. Now its row is rejected with the column and the reason, and the rest delivered.

const server = await findTestServer()
const SCHEMA = "tablecast_pg_deep_json_test"
const table = `${SCHEMA}.scores`

describe.skipIf(server === undefined)("PostgresSource: json and jsonb values nested too deep", () => {
  beforeAll(async () => {
    await server!.admin(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`)
    await server!.admin(`CREATE SCHEMA ${SCHEMA}`)
    await server!.admin(`CREATE TABLE ${table} (id int PRIMARY KEY, customer_id text, doc jsonb, raw json)`)
    await server!.admin(`
      INSERT INTO ${table}
      SELECT g, 'c' || g,
        CASE WHEN g = 5 THEN (repeat('[', 6000) || repeat(']', 6000))::jsonb ELSE jsonb_build_object('n', g) END,
        -- A deep json holding a number a double would round: parsed by the exact (recursive) path.
        CASE WHEN g = 7 THEN (repeat('[', 6000) || '12345678901234567890' || repeat(']', 6000))::json ELSE '{"ok": true}'::json END
      FROM generate_series(1, 10) AS g`)
  })
  afterAll(async () => {
    await server?.admin(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`)
    await server?.close()
  })

  const options = { query: `SELECT * FROM ${table} ORDER BY id`, sslmode: "disable" as const }

  it("reads every row: the deep values come through, parsed, for the mapping to judge", async () => {
    const items = await Effect.runPromise(Effect.flatMap(make(options, server!.env), (source) => Stream.runCollect(source.rows)))
    expect(items).toHaveLength(10)
    expect(items.some(isMalformed)).toBe(false)
  })

  it("a sync rejects the two deep rows with their column and reason and delivers the other eight", async () => {
    const received: Array<string> = []
    const rejects: Array<RejectedRow> = []
    const transport = Layer.succeed(Transport, {
      endpoint: "memory",
      envelopeBytes: 60,
      send: (batch) =>
        Effect.sync(() => {
          received.push(...batch.messages.map((json) => (JSON.parse(json) as { userId: string }).userId))
          return { status: 200, bodyBytes: batch.messageBytes }
        })
    })
    const report: DeliveryReport = await Effect.runPromise(
      Sync.run({
        spec: SyncSpec.parse({ event: "Scored", customerId: "customer_id" }),
        options: PipelineOptions.parse({})
      }).pipe(
        Effect.provide(
          Layer.mergeAll(
            layer(options, server!.env),
            transport,
            Layer.succeed(RejectSink, { write: (batch) => Effect.sync(() => void rejects.push(...batch)) })
          )
        )
      )
    )
    expect(report.outcome).toBe("completed")
    expect(report.rows).toEqual({ read: 10, mapped: 8, rejected: 2, skipped: 0 })
    expect(report.messages).toMatchObject({ built: 8, accepted: 8 })
    expect(imbalanceOf(report)).toBeUndefined()
    expect(received).toEqual(["c1", "c2", "c3", "c4", "c6", "c8", "c9", "c10"])
    expect(rejects.map(({ row, stage, column, reason }) => ({ row, stage, column, reason }))).toEqual([
      { row: 5, stage: "validation", column: "doc", reason: 'column "doc": value nested deeper than 64 levels' },
      { row: 7, stage: "validation", column: "raw", reason: 'column "raw": value nested deeper than 64 levels' }
    ])
  })
})
