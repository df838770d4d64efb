import { isMalformed } from "@tablecast/core"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { make } from "./PostgresSource.ts"
import { findTestServer } from "./PostgresTestServer.testkit.ts"

const server = await findTestServer()
const SCHEMA = "tablecast_pg_large_test"
const ROWS = 1_000_000

describe.skipIf(server === undefined)("a 1,000,000-row table", () => {
  beforeAll(async () => {
    await server!.admin(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`)
    // Kept between runs (unlogged, rebuilt only when missing or wrong): building it takes a few seconds.
    const exists = await server!.admin<{ table: string | null }>(`SELECT to_regclass('${SCHEMA}.million')::text AS table`)
    const count =
      exists.rows[0]?.table === null
        ? undefined
        : (await server!.admin<{ n: string }>(`SELECT count(*)::text AS n FROM ${SCHEMA}.million`)).rows[0]?.n
    if (count !== String(ROWS)) {
      await server!.admin(`DROP TABLE IF EXISTS ${SCHEMA}.million`)
      await server!.admin(`
        CREATE UNLOGGED TABLE ${SCHEMA}.million AS
        SELECT g AS customer_id,
               round((g % 1000) / 1000.0, 3)::numeric(6, 3) AS churn_score,
               md5(g::text) AS segment,
               timestamptz '2024-01-01' + g * interval '1 second' AS scored_at
          FROM generate_series(1, ${ROWS}) AS g`)
      await server!.admin(`ANALYZE ${SCHEMA}.million`)
    }
  })

  afterAll(async () => {
    await server?.close()
  })

  it("streams every row in order with flat memory", async () => {
    const source = await Effect.runPromise(
      make({ query: `SELECT * FROM ${SCHEMA}.million ORDER BY customer_id`, pageSize: 2000, sslmode: "disable" }, server!.env)
    )
    // A planner estimate (Gather Merge under-counts parallel plans), close enough for an ETA.
    expect(await Effect.runPromise(source.estimatedRows)).toBeGreaterThan(ROWS * 0.8)

    const gc = globalThis.gc
    if (gc === undefined) throw new Error("run with --expose-gc (vitest.config.ts sets it)")
    gc()
    const baseline = process.memoryUsage()
    let peak = baseline.rss
    let retained = baseline.heapUsed
    let count = 0
    let inOrder = true
    let lastScore: unknown
    const started = performance.now()
    await Effect.runPromise(
      Stream.runForEachArray(source.rows, (items) =>
        Effect.sync(() => {
          for (const item of items) {
            if (isMalformed(item)) throw new Error(item.malformed.reason)
            count++
            if (item.rowNumber !== count || item.values.customer_id !== count) inOrder = false
            lastScore = item.values.churn_score
          }
          const rss = process.memoryUsage().rss
          if (rss > peak) peak = rss
          // What the stream holds on to: the heap after a full collection, every 100,000 rows.
          if (count % 100_000 === 0) {
            gc()
            retained = Math.max(retained, process.memoryUsage().heapUsed)
          }
        })
      )
    )
    const seconds = (performance.now() - started) / 1000
    const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1)
    console.log(
      `postgres: ${count} rows in ${seconds.toFixed(2)} s = ${Math.round(count / seconds)} rows/s; ` +
        `RSS ${mib(baseline.rss)} MiB before, peak ${mib(peak)} MiB (+${mib(peak - baseline.rss)} MiB); ` +
        `heap after GC ${mib(baseline.heapUsed)} MiB before, at most ${mib(retained)} MiB`
    )
    expect(count).toBe(ROWS)
    expect(inOrder).toBe(true)
    expect(lastScore).toBe(0)
    // Holding the rows would take hundreds of MiB; a page at a time keeps the heap where it was.
    expect(retained - baseline.heapUsed).toBeLessThan(32 * 1024 * 1024)
  })
})
