import { mkdtemp, readFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import type pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { runCli } from "../testing/runCli.ts"
import { connectTestDatabase } from "../testing/warehouse.ts"

const SCHEMA = "tc_cli_inspect_write"

describe("tablecast inspect --write-config, for a warehouse table (the Postgres adapter's config entry)", () => {
  let db: pg.Client | undefined

  beforeAll(async () => {
    db = await connectTestDatabase()
    if (db === undefined) return
    await db.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`)
    await db.query(`CREATE SCHEMA ${SCHEMA}`)
    await db.query(`CREATE TABLE ${SCHEMA}.scores (customer_id text PRIMARY KEY, score numeric(4,3))`)
    await db.query(`INSERT INTO ${SCHEMA}.scores VALUES ('c1', 0.5), ('c2', 0.7)`)
  })
  afterAll(async () => {
    await db?.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`)
    await db?.end()
  })

  it("writes a URL holding a password as the variable to set instead, never the password", async () => {
    if (db === undefined) return
    const { PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE } = process.env
    const url = `postgres://${PGUSER}:${encodeURIComponent(PGPASSWORD ?? "")}@${PGHOST}:${PGPORT}/${PGDATABASE}?sslmode=disable`
    const dir = await mkdtemp(path.join(tmpdir(), "tablecast-inspect-write-"))
    const config = path.join(dir, "tablecast.config.json")
    const result = await runCli(["inspect", "--postgres", url, "--table", `${SCHEMA}.scores`, "--write-config", config, "--name", "scores"])
    expect(result.code).toBe(0)
    expect(result.stderr).toMatch(/the connection URL holds a password, so the config names the variable DATABASE_URL instead/)
    const written = await readFile(config, "utf8")
    expect(JSON.parse(written).syncs.scores.source).toMatchObject({ type: "postgres", table: `${SCHEMA}.scores`, urlEnv: "DATABASE_URL" })
    expect(JSON.parse(written).syncs.scores.source.url).toBeUndefined()
    if (PGPASSWORD !== undefined && PGPASSWORD !== "") expect(written).not.toContain(PGPASSWORD)
  })
})
