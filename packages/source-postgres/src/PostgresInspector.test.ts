import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { describeSource, listTables } from "./PostgresInspector.ts"
import { findTestServer } from "./PostgresTestServer.testkit.ts"

const server = await findTestServer()
const SCHEMA = "tablecast_pg_inspect_test"

describe.skipIf(server === undefined)("Postgres inspection", () => {
  beforeAll(async () => {
    await server!.admin(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`)
    await server!.admin(`CREATE SCHEMA ${SCHEMA}`)
    await server!.admin(`
      CREATE TABLE ${SCHEMA}.churn_scores (
        customer_id text PRIMARY KEY,
        email text,
        churn_probability numeric(5, 4) NOT NULL,
        scored_at timestamptz NOT NULL,
        avatar bytea
      )`)
    await server!.admin(`
      INSERT INTO ${SCHEMA}.churn_scores
      SELECT 'c-' || g, 'user' || g || '@example.com', g / 100.0, timestamptz '2024-06-01' + g * interval '1 hour', '\\x0102'
        FROM generate_series(1, 40) AS g`)
    await server!.admin(`ANALYZE ${SCHEMA}.churn_scores`)
    await server!.admin(`CREATE VIEW ${SCHEMA}."High Risk" AS SELECT * FROM ${SCHEMA}.churn_scores WHERE churn_probability > 0.3`)
  })

  afterAll(async () => {
    await server?.close()
  })

  it("lists the tables and views it can read, with names to give back as `table`", async () => {
    const tables = await Effect.runPromise(listTables({ schema: SCHEMA, sslmode: "disable" }, server!.env))
    expect(tables).toEqual([
      { schema: SCHEMA, name: "High Risk", kind: "view", table: `${SCHEMA}."High Risk"`, estimatedRows: undefined },
      { schema: SCHEMA, name: "churn_scores", kind: "table", table: `${SCHEMA}.churn_scores`, estimatedRows: 40 }
    ])
  })

  it("describes a table's columns with types, JSON kinds, keys and samples", async () => {
    const description = await Effect.runPromise(
      describeSource({ table: `${SCHEMA}.churn_scores`, sslmode: "disable" }, { samples: 3 }, server!.env)
    )
    expect(description.estimatedRows).toBe(40)
    expect(description.columns).toEqual([
      {
        name: "customer_id",
        sourceType: "text",
        kind: "string",
        sentAs: { type: "string", basis: "declared text" },
        nullable: false,
        unique: true,
        samples: ["c-1", "c-2", "c-3"]
      },
      {
        name: "email",
        sourceType: "text",
        kind: "string",
        sentAs: { type: "string", basis: "declared text" },
        nullable: true,
        unique: false,
        samples: ["user1@example.com", "user2@example.com", "user3@example.com"]
      },
      {
        name: "churn_probability",
        sourceType: "numeric(5,4)",
        kind: "decimal",
        sentAs: { type: "number", basis: "declared numeric(5,4)" },
        nullable: false,
        unique: false,
        samples: [0.01, 0.02, 0.03]
      },
      {
        name: "scored_at",
        sourceType: "timestamp with time zone",
        kind: "timestamp",
        sentAs: { type: "timestamp", basis: "declared timestamp with time zone" },
        nullable: false,
        unique: false,
        samples: ["2024-06-01T01:00:00.000Z", "2024-06-01T02:00:00.000Z", "2024-06-01T03:00:00.000Z"]
      },
      {
        name: "avatar",
        sourceType: "bytea",
        kind: "binary",
        sentAs: { type: "string", basis: "declared bytea" },
        nullable: true,
        unique: false,
        samples: ["<binary 2 bytes>", "<binary 2 bytes>", "<binary 2 bytes>"]
      }
    ])
  })

  it("describes a query, knowing keys only for columns straight from a table", async () => {
    const description = await Effect.runPromise(
      describeSource(
        {
          query: `SELECT customer_id, churn_probability * 100 AS pct FROM ${SCHEMA}.churn_scores WHERE churn_probability > 0.3 ORDER BY customer_id`,
          sslmode: "disable"
        },
        { samples: 2 },
        server!.env
      )
    )
    expect(description.columns.map(({ name, kind, unique, samples }) => ({ name, kind, unique, samples }))).toEqual([
      { name: "customer_id", kind: "string", unique: true, samples: ["c-31", "c-32"] },
      { name: "pct", kind: "decimal", unique: undefined, samples: [31, 32] }
    ])
    expect(description.estimatedRows).toBeGreaterThan(0)
    const view = await Effect.runPromise(describeSource({ table: `${SCHEMA}."High Risk"`, sslmode: "disable" }, {}, server!.env))
    expect(view.columns[0]).toMatchObject({ name: "customer_id", nullable: undefined, unique: undefined })
  })

  it("fails on a missing table with its SQLSTATE", async () => {
    const exit = await Effect.runPromiseExit(describeSource({ table: `${SCHEMA}.nope`, sslmode: "disable" }, {}, server!.env))
    expect(Exit.isFailure(exit) && String(exit.cause)).toMatch(/42P01/)
  })
})
