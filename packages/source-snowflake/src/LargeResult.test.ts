import { isMalformed } from "@tablecast/core"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { connectAttempts } from "@tablecast/loopback-guard"
import { make } from "./SnowflakeSource.ts"
import { startTestEnv } from "./SnowflakeTestEnv.testkit.ts"

// 2,000 rows per chunk: the result arrives as 1 inline part and 59 gzip chunks fetched by URL.
const env = await startTestEnv({ chunkRows: 2000 })
const SCHEMA = "sf_large_test"
const ROWS = 120_000

describe.skipIf(env === undefined)("a 120,000-row Snowflake result", () => {
  beforeAll(async () => {
    await env!.admin(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`)
    await env!.admin(`DROP TABLE IF EXISTS ${SCHEMA}.churn_scores`)
    await env!.admin(`
      CREATE UNLOGGED TABLE ${SCHEMA}.churn_scores AS
      SELECT 'user-' || g AS user_id,
             round((g % 1000) / 1000.0, 3)::numeric(6, 3) AS churn_probability,
             md5(g::text) AS segment,
             timestamptz '2024-01-01' + g * interval '1 second' AS scored_at
        FROM generate_series(1, ${ROWS}) AS g`)
    await env!.admin(`ANALYZE ${SCHEMA}.churn_scores`)
  })

  afterAll(async () => {
    await env?.close()
  })

  it("streams every row across many gzip chunks with flat memory", async () => {
    const before = await env!.server.stats()
    const gc = globalThis.gc
    if (gc === undefined) throw new Error("run with --expose-gc (vitest.config.ts sets it)")
    let count = 0
    let inOrder = true
    let peak = 0
    let baseline = { rss: 0, heapUsed: 0 }
    let retained = 0
    let seconds = 0
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const source = yield* make(
            {
              account: env!.account,
              user: env!.user,
              password: env!.password,
              accessUrl: env!.server.url,
              query: `SELECT * FROM ${SCHEMA}.churn_scores ORDER BY scored_at`
            },
            {}
          )
          // Runs the query (the server answers "in progress" and the driver polls); rows come next.
          expect(yield* source.estimatedRows).toBe(ROWS)
          gc()
          baseline = process.memoryUsage()
          peak = baseline.rss
          retained = baseline.heapUsed
          const started = performance.now()
          yield* Stream.runForEachArray(source.rows, (items) =>
            Effect.sync(() => {
              for (const item of items) {
                if (isMalformed(item)) throw new Error(item.malformed.reason)
                count++
                if (item.rowNumber !== count || item.values.USER_ID !== `user-${count}`) inOrder = false
              }
              const rss = process.memoryUsage().rss
              if (rss > peak) peak = rss
              if (count % 20_000 === 0) {
                gc()
                retained = Math.max(retained, process.memoryUsage().heapUsed)
              }
            })
          )
          seconds = (performance.now() - started) / 1000
        })
      )
    )
    const after = await env!.server.stats()
    const chunks = after.chunkRequests - before.chunkRequests
    const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1)
    console.log(
      `snowflake: ${count} rows in ${seconds.toFixed(2)} s = ${Math.round(count / seconds)} rows/s over ${chunks} gzip chunks ` +
        `(${mib(after.chunkBytesSent - before.chunkBytesSent)} MiB compressed); RSS ${mib(baseline.rss)} MiB before, ` +
        `peak ${mib(peak)} MiB (+${mib(peak - baseline.rss)} MiB); heap after GC ${mib(baseline.heapUsed)} MiB before, at most ${mib(retained)} MiB`
    )
    expect(count).toBe(ROWS)
    expect(inOrder).toBe(true)
    expect(chunks).toBe(ROWS / 2000 - 1)
    expect(after.chunkRequestsRefused - before.chunkRequestsRefused).toBe(0)
    expect(after.queries - before.queries).toBe(1)
    // The driver holds a couple of chunks at a time; holding all rows would take well over this.
    expect(retained - baseline.heapUsed).toBeLessThan(24 * 1024 * 1024)
    expect(connectAttempts().filter((attempt) => !attempt.allowed)).toEqual([])
  })
})
