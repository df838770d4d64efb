import { PipelineOptions, RejectSink, RowSource, type RowSourceShape } from "@tablecast/core"
import {
  type IncrementalPlan,
  type IncrementalReport,
  IncrementalSyncSpec,
  type IncrementalSyncSpecInput,
  runIncremental,
  SnapshotStore,
  SourceDigests
} from "@tablecast/incremental"
import { type Answer, httpError, type RecordedRequest, recordingTransport } from "@tablecast/core/testing"
import { make, makeDigests } from "@tablecast/source-postgres"
import { postgresSnapshotStore, snapshotDigestTable } from "@tablecast/state-postgres"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import type pg from "pg"
import { mkdtemp } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { startSink } from "@tablecast/sink"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { runCli } from "./testing/runCli.ts"
import { connectTestDatabase, pgEnv } from "./testing/warehouse.ts"

const client = await connectTestDatabase()
const TABLE = "tablecast_diff_in_db_test.scores"
const ON = "tablecast_diff_on"
const OFF = "tablecast_diff_off"
const SYNC = "churn-diff"

const spec = (event = "Churn Scored"): IncrementalSyncSpecInput => ({
  name: SYNC,
  event,
  customerId: "customer_id",
  timestamp: "updated_at",
  incremental: { mode: "all", tolerance: { score: { absolute: 0.01 } }, guard: { maxChangedShare: 0.5, maxRemovedShare: 0.5 } }
})

interface Outcome {
  readonly plan: IncrementalPlan
  /** Rows the source yielded to the client. */
  readonly yielded: number
  /** userId of every message accepted, sorted. */
  readonly sent: ReadonlyArray<string>
  readonly outcome: string
}

/**
 * One run of the sync against a store in `schema`: with the digest filter (diff in the database) or
 * without (every row read). The store's session has a time zone and date style of its own, so a
 * digest that depended on the session would not match.
 */
const runOnce = async (
  schema: string,
  filter: boolean,
  h: { event?: string; full?: boolean; force?: boolean; answer?: (request: RecordedRequest, index: number) => Answer } = {}
): Promise<Outcome> => {
  let yielded = 0
  const counted = <A, E>(stream: Stream.Stream<A, E>) => stream.pipe(Stream.tap(() => Effect.sync(() => void yielded++)))
  const digestTable = snapshotDigestTable(schema, SYNC, ["customer_id"])
  const options = { table: TABLE, ...(filter ? { digestFilter: { ...digestTable, key: [...digestTable.key] } } : {}) }
  const source = await Effect.runPromise(make(options))
  const digests = await Effect.runPromise(makeDigests(options))
  const shape: RowSourceShape = { ...source, rows: counted(source.rows) }
  const digestsLayer =
    digests === undefined ? Layer.empty : Layer.succeed(SourceDigests, { ...digests, rows: (f: boolean) => counted(digests.rows(f)) })
  const store = postgresSnapshotStore({ schema, connection: { options: "-c TimeZone=Asia/Kolkata -c DateStyle=German -c extra_float_digits=0" } })
  const transport = recordingTransport((request, index) => h.answer?.(request, index) ?? "ok")
  const result = await Effect.runPromise(
    runIncremental({
      spec: IncrementalSyncSpec.parse(spec(h.event)),
      options: PipelineOptions.parse({ batchCount: 1, flushIntervalMillis: 5, maxAttempts: 1 }),
      diffInDatabase: filter,
      ...(h.full === undefined ? {} : { full: h.full }),
      ...(h.force === undefined ? {} : { force: h.force })
    }).pipe(
      Effect.provide(Layer.mergeAll(Layer.succeed(RowSource, shape), digestsLayer, transport.layer, RejectSink.discard)),
      Effect.provideService(SnapshotStore, store)
    )
  )
  const accepted = new Set(transport.accepted)
  return {
    plan: result.plan!,
    yielded,
    sent: transport.requests.flatMap((request) => request.messageIds.filter((id) => accepted.has(id))).sort(),
    outcome: result.report.outcome
  }
}

/** The snapshot of a store: key → fingerprint and values (what classification depends on). */
const snapshotOf = async (db: pg.Client, schema: string) =>
  (await db.query(`SELECT key, fingerprint, "values" FROM ${schema}.snapshot WHERE sync = $1 ORDER BY key`, [SYNC])).rows

const counts = (plan: IncrementalPlan) => {
  const { read: _read, unchangedAtSource: _atSource, ...rest } = plan.rows
  return { ...rest, send: plan.send, guard: plan.guard.tripped !== undefined }
}

/** Runs both stores through the same step and checks they classified, sent and recorded alike. */
const both = async (h: Parameters<typeof runOnce>[2] = {}) => {
  const on = await runOnce(ON, true, h)
  const off = await runOnce(OFF, false, h)
  expect(counts(on.plan)).toEqual(counts(off.plan))
  expect(on.plan.rows.read).toBe(off.plan.rows.read)
  expect(on.sent.length).toBe(off.sent.length)
  expect(on.outcome).toBe(off.outcome)
  expect(await snapshotOf(client!, ON)).toEqual(await snapshotOf(client!, OFF))
  return { on, off }
}

const sql = (text: string) => client!.query(text)

describe.skipIf(client === undefined)("diff in the database (Postgres source beside a Postgres store)", () => {
  beforeAll(async () => {
    await sql("DROP SCHEMA IF EXISTS tablecast_diff_in_db_test CASCADE")
    await sql(`DROP SCHEMA IF EXISTS ${ON} CASCADE`)
    await sql(`DROP SCHEMA IF EXISTS ${OFF} CASCADE`)
    await sql("CREATE SCHEMA tablecast_diff_in_db_test")
    await sql(`CREATE TABLE ${TABLE} (
      customer_id text, score double precision, amount numeric(12, 4), segment text, note text, updated_at timestamptz)`)
    await sql(`INSERT INTO ${TABLE}
      SELECT 'c' || i, (i % 97) / 100.0, i * 1.5, 's' || (i % 4), CASE WHEN i % 3 = 0 THEN NULL ELSE 'n ' || i || ' "q" é' END,
             timestamptz '2026-11-01 10:00:00.123456+00' + i * interval '1 minute'
        FROM generate_series(1, 40) AS i`)
  })
  afterAll(async () => {
    await sql("DROP SCHEMA IF EXISTS tablecast_diff_in_db_test CASCADE")
    await sql(`DROP SCHEMA IF EXISTS ${ON} CASCADE`)
    await sql(`DROP SCHEMA IF EXISTS ${OFF} CASCADE`)
    await client?.end()
  })

  it("classifies, sends and records as the client-side diff does, run after run, and unchanged rows never leave the server", async () => {
    // First run: everything added; the filtered store records every row's digest.
    const first = await both()
    expect(first.on.plan.rows.added).toBe(40)
    expect(first.on.plan.diffInDatabase).toBe(false)
    expect(first.on.sent.length).toBe(40)
    const digests = await client!.query(`SELECT count(source_digest)::int AS n FROM ${ON}.snapshot WHERE sync = $1`, [SYNC])
    expect(digests.rows[0].n).toBe(40)

    // No change: the database returns no row at all.
    const still = await both()
    expect(still.on.plan.diffInDatabase).toBe(true)
    expect(still.on.yielded).toBe(0)
    expect(still.off.yielded).toBe(40)
    expect(still.on.plan.rows.unchanged).toBe(40)
    expect(still.on.plan.rows.unchangedAtSource).toBe(40)
    expect(still.on.sent.length).toBe(0)

    // Changed beyond and within tolerance, a timestamp alone, removed, added.
    await sql(`UPDATE ${TABLE} SET score = score + 0.5 WHERE customer_id IN ('c1', 'c2')`)
    await sql(`UPDATE ${TABLE} SET score = score + 0.001 WHERE customer_id IN ('c3', 'c4')`)
    await sql(`UPDATE ${TABLE} SET updated_at = updated_at + interval '1 day' WHERE customer_id = 'c5'`)
    await sql(`UPDATE ${TABLE} SET amount = amount + 0.0001 WHERE customer_id = 'c6'`)
    await sql(`DELETE FROM ${TABLE} WHERE customer_id IN ('c7', 'c8')`)
    await sql(`INSERT INTO ${TABLE} VALUES ('c41', 0.41, 1.25, 's1', NULL, now()), ('c42', NULL, NULL, NULL, NULL, NULL)`)
    const changed = await both()
    expect(changed.on.plan.rows).toMatchObject({ added: 2, changed: 3, withinTolerance: 2, removed: 2, unchangedAtSource: 32 })
    // Only the rows that differ from what was last acknowledged are read: 2 + 3 + 2 within tolerance + 1 timestamp.
    expect(changed.on.yielded).toBe(8)
    expect(changed.on.sent.length).toBe(7)

    // Within tolerance, the snapshot keeps the value last sent: the same rows come back, unchanged.
    const again = await both()
    expect(again.on.yielded).toBe(3)
    expect(again.on.plan.rows).toMatchObject({ added: 0, changed: 0, removed: 0, withinTolerance: 2 })

    // A key twice with identical rows: reported as a duplicate on both paths, never filtered silently.
    await sql(`INSERT INTO ${TABLE} SELECT * FROM ${TABLE} WHERE customer_id = 'c10'`)
    const duplicated = await both()
    expect(duplicated.on.plan.rows.duplicates).toBe(1)
    expect(duplicated.on.yielded).toBe(5)
    await sql(`DELETE FROM ${TABLE} WHERE ctid IN (SELECT max(ctid) FROM ${TABLE} WHERE customer_id = 'c10')`)
  })

  it("keeps the snapshot behind delivery: rows of a refused batch are read and sent again next run", async () => {
    await sql(`UPDATE ${TABLE} SET segment = segment || '+' WHERE customer_id IN ('c11', 'c12', 'c13', 'c14', 'c15', 'c16')`)
    // One message per batch; which are refused depends on the message alone, so both paths refuse the same rows.
    const refused = (request: RecordedRequest): Answer => (/[0-7]$/.test(request.messageIds[0]!) ? httpError(400) : "ok")
    const failed = await both({ answer: refused })
    expect(failed.on.plan.rows.changed).toBe(6)
    expect(failed.on.sent.length).toBeLessThan(6)
    expect(failed.on.outcome).not.toBe("completed")
    const retried = await both()
    expect(retried.on.plan.rows.changed).toBe(6 - failed.on.sent.length)
    expect(retried.on.sent.length).toBe(6 - failed.on.sent.length)
    const settled = await both()
    expect(settled.on.plan.rows.changed).toBe(0)
  })

  it("re-classifies every row when the mapping changes, then filters again under the new mapping", async () => {
    const renamed = await both({ event: "Churn Rescored" })
    expect(renamed.on.plan.diffInDatabase).toBe(false)
    expect(renamed.on.yielded).toBe(40)
    expect(renamed.on.plan.rows.changed).toBe(40)
    expect(renamed.on.plan.guard.tripped).toBeDefined()
    expect(renamed.on.sent.length).toBe(0)
    // Under the new mapping no digest is trusted until rows are sent again: a full run re-seeds them.
    const full = await both({ event: "Churn Rescored", full: true })
    expect(full.on.plan.diffInDatabase).toBe(false)
    expect(full.on.sent.length).toBe(40)
    const quiet = await both({ event: "Churn Rescored" })
    expect(quiet.on.plan.diffInDatabase).toBe(true)
    expect(quiet.on.yielded).toBe(0)
    expect(quiet.on.plan.rows.unchanged).toBe(40)
    // Back to the first mapping: its digests were forgotten, so every row is read and re-classified.
    const back = await both()
    expect(back.on.plan.diffInDatabase).toBe(false)
    expect(back.on.yielded).toBe(40)
  })

  it("turns on by itself in the CLI when the state store is the source's database, and --no-diff-in-database turns it off", async () => {
    const sink = await startSink({})
    try {
      const dir = await mkdtemp(path.join(tmpdir(), "tablecast-diff-in-db-"))
      const env = { SEGMENT_WRITE_KEY: "wk_test_diff_in_db_7e1", ...pgEnv() }
      const args = (extra: ReadonlyArray<string>) => [
        "sync",
        "--postgres",
        "env",
        "--table",
        TABLE,
        "-e",
        "Churn Scored",
        "-u",
        "customer_id",
        "--timestamp",
        "updated_at",
        "--key",
        "customer_id",
        "--name",
        `churn-cli-${path.basename(dir)}`,
        "--endpoint",
        sink.url,
        "--state-postgres",
        "env",
        "--json",
        ...extra
      ]
      const sync = async (extra: ReadonlyArray<string> = []) => {
        const result = await runCli(args(extra), { env, cwd: dir })
        expect(result.code, result.stderr).toBe(0)
        return JSON.parse(result.stdout) as IncrementalReport
      }
      const first = await sync()
      expect(first.incremental?.diffInDatabase).toBe(false)
      expect(first.incremental?.rows.added).toBe(40)
      const second = await sync()
      expect(second.incremental?.diffInDatabase).toBe(true)
      expect(second.incremental?.rows.unchangedAtSource).toBe(40)
      const off = await sync(["--no-diff-in-database"])
      expect(off.incremental?.diffInDatabase).toBeUndefined()
      expect(off.incremental?.rows.unchanged).toBe(40)
      const plan = await runCli(
        [
          "plan",
          ...args([])
            .slice(1)
            .filter((arg) => arg !== "--json" && arg !== "--endpoint" && arg !== sink.url)
        ],
        { env, cwd: dir }
      )
      expect(plan.stdout).toMatch(/in database 40 unchanged rows compared in Postgres/)
      expect(sink.stats().messagesAccepted).toBe(40)
    } finally {
      await sink.close()
    }
  })
})
