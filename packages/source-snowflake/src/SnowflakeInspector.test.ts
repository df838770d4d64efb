import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { describeSource, listTables } from "./SnowflakeInspector.ts"
import { startTestEnv } from "./SnowflakeTestEnv.testkit.ts"

const env = await startTestEnv()
const SCHEMA = "sf_inspect_test"
const login = () => ({ account: env!.account, user: env!.user, password: env!.password, accessUrl: env!.server.url })

describe.skipIf(env === undefined)("Snowflake inspection", () => {
  beforeAll(async () => {
    await env!.admin(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`)
    await env!.admin(`CREATE SCHEMA ${SCHEMA}`)
    await env!.admin(`
      CREATE TABLE ${SCHEMA}.rfm_scores (
        customer_id text NOT NULL,
        recency_days int,
        monetary numeric(12, 2) NOT NULL,
        traits jsonb,
        scored_at timestamptz NOT NULL,
        avatar bytea
      )`)
    await env!.admin(`
      INSERT INTO ${SCHEMA}.rfm_scores
      SELECT 'c-' || g, g, g * 10.5, jsonb_build_object('segment', 'champions'), timestamptz '2024-06-01' + g * interval '1 day', '\\x0102'
        FROM generate_series(1, 12) AS g`)
    await env!.admin(`ANALYZE ${SCHEMA}.rfm_scores`)
    await env!.admin(`CREATE VIEW ${SCHEMA}."Top Customers" AS SELECT * FROM ${SCHEMA}.rfm_scores WHERE monetary > 100`)
  })

  afterAll(async () => {
    await env?.close()
  })

  it("lists the tables and views of a schema with names to give back as `table`", async () => {
    const tables = await Effect.runPromise(listTables({ ...login(), schema: SCHEMA }, {}))
    expect(tables).toEqual([
      { schema: "SF_INSPECT_TEST", name: "RFM_SCORES", kind: "table", table: "SF_INSPECT_TEST.RFM_SCORES", estimatedRows: 12 },
      { schema: "SF_INSPECT_TEST", name: "Top Customers", kind: "view", table: 'SF_INSPECT_TEST."Top Customers"', estimatedRows: undefined }
    ])
  })

  it("describes a table: Snowflake types, JSON kinds, nullability, samples and its row count", async () => {
    const description = await Effect.runPromise(describeSource({ ...login(), table: `${SCHEMA}.rfm_scores` }, { samples: 2 }, {}))
    expect(description.estimatedRows).toBe(12)
    expect(description.columns).toEqual([
      {
        name: "CUSTOMER_ID",
        sourceType: "VARCHAR",
        kind: "string",
        sentAs: { type: "string", basis: "declared VARCHAR" },
        nullable: false,
        unique: undefined,
        samples: ["c-1", "c-2"]
      },
      {
        name: "RECENCY_DAYS",
        sourceType: "NUMBER(38,0)",
        kind: "decimal",
        sentAs: {
          type: "number",
          basis: "declared NUMBER(38,0)",
          note: "a value of over 15 significant digits, which a JSON number cannot carry exactly, rejects its row"
        },
        nullable: true,
        unique: undefined,
        samples: [1, 2]
      },
      {
        name: "MONETARY",
        sourceType: "NUMBER(12,2)",
        kind: "decimal",
        sentAs: { type: "number", basis: "declared NUMBER(12,2)" },
        nullable: false,
        unique: undefined,
        samples: [10.5, 21]
      },
      {
        name: "TRAITS",
        sourceType: "VARIANT",
        kind: "json",
        sentAs: { type: "json", basis: "declared VARIANT" },
        nullable: true,
        unique: undefined,
        samples: [{ segment: "champions" }, { segment: "champions" }]
      },
      {
        name: "SCORED_AT",
        sourceType: "TIMESTAMP_LTZ",
        kind: "timestamp",
        sentAs: { type: "timestamp", basis: "declared TIMESTAMP_LTZ" },
        nullable: false,
        unique: undefined,
        samples: ["2024-06-02T00:00:00.000Z", "2024-06-03T00:00:00.000Z"]
      },
      {
        name: "AVATAR",
        sourceType: "BINARY",
        kind: "binary",
        sentAs: { type: "string", basis: "declared BINARY" },
        nullable: true,
        unique: undefined,
        samples: ["<binary 2 bytes>", "<binary 2 bytes>"]
      }
    ])
  })

  it("describes a query without running it to the end", async () => {
    const description = await Effect.runPromise(
      describeSource(
        { ...login(), query: `SELECT customer_id, monetary * 2 AS doubled FROM ${SCHEMA}.rfm_scores ORDER BY recency_days` },
        { samples: 1 },
        {}
      )
    )
    expect(description.estimatedRows).toBeUndefined()
    expect(description.columns.map(({ name, samples }) => ({ name, samples }))).toEqual([
      { name: "CUSTOMER_ID", samples: ["c-1"] },
      { name: "DOUBLED", samples: [21] }
    ])
  })

  it("fails on a missing table with Snowflake's code", async () => {
    const exit = await Effect.runPromiseExit(describeSource({ ...login(), table: `${SCHEMA}.nope` }, {}, {}))
    expect(Exit.isFailure(exit) && String(exit.cause)).toMatch(/002003/)
  })
})
