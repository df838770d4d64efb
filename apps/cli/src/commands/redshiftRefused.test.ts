import type pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { runCli } from "../testing/runCli.ts"
import { connectTestDatabase, pgEnv } from "../testing/warehouse.ts"

const SCHEMA = "tc_cli_fake_redshift"
// Only PostgreSQL runs here. A version() earlier on the search_path than pg_catalog's answers as
// Redshift does, so the built CLI's detection sees a Redshift text from a real connection.
const REDSHIFT_VERSION =
  "PostgreSQL 8.0.2 on i686-pc-linux-gnu, compiled by GCC gcc (GCC) 3.4.2 20041017 (Red Hat 3.4.2-6.fc3), Redshift 1.0.77467"

describe("a Redshift endpoint behind --postgres (the built CLI, detection faked)", () => {
  let db: pg.Client | undefined

  beforeAll(async () => {
    db = await connectTestDatabase()
    if (db === undefined) return
    await db.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`)
    await db.query(`CREATE SCHEMA ${SCHEMA}`)
    await db.query(`CREATE FUNCTION ${SCHEMA}.version() RETURNS text LANGUAGE sql AS $$ SELECT '${REDSHIFT_VERSION}'::text $$`)
    await db.query(`CREATE TABLE ${SCHEMA}.scores (customer_id text, score numeric)`)
    await db.query(`INSERT INTO ${SCHEMA}.scores VALUES ('c1', 0.5)`)
  })
  afterAll(async () => {
    await db?.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`)
    await db?.end()
  })

  it("refuses it before reading, exit 6, saying it is Redshift and what to do instead; PostgreSQL itself reads on", async () => {
    if (db === undefined) return
    const args = ["sync", "--postgres", "env", "--table", `${SCHEMA}.scores`, "-e", "Scored", "-u", "customer_id", "--dry-run"]
    const faked = await runCli(args, { env: { ...pgEnv(), PGOPTIONS: `-c search_path=${SCHEMA},pg_catalog` } })
    expect(faked.code).toBe(6)
    expect(faked.stderr).toMatch(/is Amazon Redshift 1\.0\.77467, which the Postgres source does not read: /)
    expect(faked.stderr).toContain("UNLOAD ... FORMAT PARQUET")
    const plain = await runCli(args, { env: pgEnv() })
    expect(plain.stderr).toBe("")
    expect(plain.code).toBe(0)
  })
})
