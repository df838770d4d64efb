import { mkdtemp } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { type Sink, startSink } from "@tablecast/sink"
import { type SnowflakeTestServer, startSnowflakeTestServer } from "@tablecast/snowflake-test-server"
import type pg from "pg"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { runCli } from "./testing/runCli.ts"
import { connectTestDatabase, pgEnv } from "./testing/warehouse.ts"

const SCHEMA = "tc_cli_readonly"
const VICTIM = `${SCHEMA}.victim`

/** The queries of issue #14's finding 6 and their variants: each would delete the victim's rows if it ran. */
const HOSTILE = [
  `select id from ${VICTIM}; commit; begin read write; delete from ${VICTIM}; commit`,
  `select id from ${VICTIM}; delete from ${VICTIM}`,
  `select id from ${VICTIM} /* */; delete from ${VICTIM}`,
  `select id from ${VICTIM}; set transaction read write; delete from ${VICTIM}`,
  `select id from ${VICTIM}; rollback; delete from ${VICTIM}`
]

describe("a --query runs as one reading statement in a read-only transaction, through the built CLI", () => {
  let db: pg.Client | undefined
  let sink: Sink | undefined
  let dir: string
  const victimCount = async () => Number((await db!.query(`SELECT count(*)::int AS n FROM ${VICTIM}`)).rows[0].n)

  beforeAll(async () => {
    db = await connectTestDatabase()
    sink = await startSink()
    if (db === undefined) return
    await db.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`)
    await db.query(`CREATE SCHEMA ${SCHEMA}`)
    await db.query(`CREATE TABLE ${VICTIM} (id int PRIMARY KEY)`)
  })
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "tablecast-readonly-"))
    if (db === undefined) return
    await db.query(`TRUNCATE ${VICTIM}`)
    await db.query(`INSERT INTO ${VICTIM} SELECT generate_series(1, 5)`)
  })
  afterAll(async () => {
    await sink?.close()
    if (db !== undefined) {
      await db.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`)
      await db.end()
    }
  })

  it("refuses several statements in sync, inspect and plan with exit 6 naming --query; nothing is deleted or sent", async () => {
    if (db === undefined) return
    const env = { ...pgEnv(), SEGMENT_WRITE_KEY: "k" }
    for (const [index, query] of HOSTILE.entries()) {
      const requests = sink!.stats().requests
      const commands = [
        ["sync", "--postgres", "env", "--query", query, "-e", "E", "-u", "id", "--endpoint", sink!.url, "--no-checkpoint"],
        // inspect and plan with the query and one variant (each run is a process start).
        ...(index < 2
          ? [
              ["inspect", "--postgres", "env", "--query", query],
              ["plan", "--postgres", "env", "--query", query, "-e", "E", "-u", "id", "--key", "id"]
            ]
          : [])
      ]
      for (const args of commands) {
        const result = await runCli(args, { env, cwd: dir })
        const label = `${args[0]}: ${query}`
        expect(result.code, `${label}\n${result.stderr}`).toBe(6)
        expect(result.stderr, label).toContain("the query (--query) holds more than one statement")
        expect(result.stdout + result.stderr, label).not.toContain("TypeError")
      }
      expect(await victimCount(), query).toBe(5)
      expect(sink!.stats().requests, query).toBe(requests)
    }
  }, 180_000)

  it("refuses a data-modifying CTE through the read-only transaction, and still runs a query whose string holds a semicolon", async () => {
    if (db === undefined) return
    const env = { ...pgEnv(), SEGMENT_WRITE_KEY: "k" }
    const cte = await runCli(
      [
        "sync",
        "--postgres",
        "env",
        "--query",
        `WITH gone AS (DELETE FROM ${VICTIM} RETURNING id) SELECT id FROM gone`,
        "-e",
        "E",
        "-u",
        "id",
        "--endpoint",
        sink!.url,
        "--no-checkpoint"
      ],
      { env, cwd: dir }
    )
    expect(cte.code).toBe(6)
    // The reason is in the report (stdout) today; the errors work of issue #14 also puts it on stderr.
    expect(cte.stdout + cte.stderr).toMatch(/read-only transaction|must be at the top level/)
    expect(await victimCount()).toBe(5)

    const accepted = sink!.stats().messagesAccepted
    const literal = await runCli(
      [
        "sync",
        "--postgres",
        "env",
        "--query",
        `select id, 'a; commit; delete from ${VICTIM}' as note from ${VICTIM};`,
        "-e",
        "E",
        "-u",
        "id",
        "--endpoint",
        sink!.url,
        "--no-checkpoint"
      ],
      { env, cwd: dir }
    )
    expect(literal.code, literal.stderr).toBe(0)
    expect(sink!.stats().messagesAccepted - accepted).toBe(5)
    expect(await victimCount()).toBe(5)
  }, 120_000)

  describe("Snowflake, against the protocol test server", () => {
    let server: SnowflakeTestServer | undefined
    beforeAll(async () => {
      if (db === undefined) return
      server = await startSnowflakeTestServer({
        account: "TABLECAST-RO",
        users: [{ name: "RO_USER", password: "sf-ro-password-77" }],
        postgres: {
          host: process.env.PGHOST!,
          port: Number(process.env.PGPORT ?? 5432),
          user: process.env.PGUSER!,
          ...(process.env.PGPASSWORD === undefined ? {} : { password: process.env.PGPASSWORD }),
          database: process.env.PGDATABASE!
        }
      })
    })
    afterAll(async () => {
      await server?.stop()
    })

    it("refuses several statements with exit 6 naming --query; nothing is deleted or sent", async () => {
      if (db === undefined || server === undefined) return
      const env = { SEGMENT_WRITE_KEY: "k", SNOWFLAKE_USER: "RO_USER", SNOWFLAKE_PASSWORD: "sf-ro-password-77", SNOWFLAKE_ACCESS_URL: server.url }
      const requests = sink!.stats().requests
      for (const query of HOSTILE.slice(0, 2)) {
        const result = await runCli(
          ["sync", "--snowflake", "TABLECAST-RO", "--query", query, "-e", "E", "-u", "ID", "--endpoint", sink!.url, "--no-checkpoint"],
          { env, cwd: dir }
        )
        expect(result.code, result.stderr).toBe(6)
        expect(result.stderr).toContain("Snowflake: the query (--query) holds more than one statement")
        expect(result.stderr).not.toContain("sf-ro-password-77")
      }
      expect(await victimCount()).toBe(5)
      expect(sink!.stats().requests).toBe(requests)
    }, 120_000)
  })
})
