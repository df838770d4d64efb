import { preview, SyncSpec, type SyncSpecInput } from "@tablecast/core"
import * as Effect from "effect/Effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { PostgresSourceOptionsInput } from "./PostgresSourceOptions.ts"
import { layer, make } from "./PostgresSource.ts"
import { findTestServer } from "./PostgresTestServer.testkit.ts"

const server = await findTestServer()
const SCHEMA = "tablecast_pg_column_types_test"

const source = (extra: Partial<PostgresSourceOptionsInput> = {}): PostgresSourceOptionsInput => ({ table: `${SCHEMA}.orders`, ...extra })

/** Every message of the table (and the rejects) as `preview` maps them: the same mapping as a sync. */
const mapAll = (spec: Partial<SyncSpecInput> = {}, options: Partial<PostgresSourceOptionsInput> = {}) =>
  Effect.runPromise(
    preview({ spec: SyncSpec.parse({ event: "Order", customerId: "id", ...spec }), limit: 100 }).pipe(
      Effect.provide(layer(source(options), server!.env))
    )
  ).then((result) => ({
    properties: result.messages.map((json) => (JSON.parse(json) as { properties: Record<string, unknown> }).properties),
    rejects: result.rejects.map((reject) => ({ row: reject.row, reason: reject.reason })),
    columnTypes: result.columnTypes
  }))

describe.skipIf(server === undefined)("PostgresSource: auto typing from the declared types, one type per column", () => {
  beforeAll(async () => {
    await server!.admin(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`)
    await server!.admin(`CREATE SCHEMA ${SCHEMA}`)
    await server!.admin(`
      CREATE TABLE ${SCHEMA}.orders (
        id int PRIMARY KEY,
        monetary numeric(12, 2),
        precise numeric(38, 10),
        loose numeric,
        big bigint,
        label text
      )`)
    await server!.admin(`
      INSERT INTO ${SCHEMA}.orders VALUES
        (1, 1520.50, 0.5, 1.50, 42, '12'),
        (2, 210.00, 12.25, 210, 9007199254740991, 'abc'),
        (3, 19.99, 1234567.1234567891, 19.99, 9007199254740993, '007'),
        (4, 4210.75, 0.1, 12345678901234567890.123456789, -7, '4210.75')`)
  })
  afterAll(async () => {
    await server!.admin(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`)
    await server!.close()
  })

  it("decides each column's type from its declared type, before the first row", async () => {
    const types = await Effect.runPromise(Effect.flatMap(make(source(), server!.env), (s) => s.columnTypes!))
    expect(types.monetary).toEqual({ type: "number", basis: "declared numeric(12,2)" })
    expect(types.precise).toMatchObject({ type: "number", basis: "declared numeric(38,10)" })
    expect(types.loose).toMatchObject({ type: "number", basis: "declared numeric" })
    expect(types.big).toMatchObject({ type: "number", basis: "declared bigint" })
    expect(types.label).toEqual({ type: "string", basis: "declared text" })
  })

  it("a NUMERIC(12,2) column is always numbers; a text column always strings, even of digits", async () => {
    const { properties } = await mapAll({ properties: ["monetary", "label"] })
    expect(properties.map((p) => p.monetary)).toEqual([1520.5, 210, 19.99, 4210.75])
    expect(properties.map((p) => p.label)).toEqual(["12", "abc", "007", "4210.75"])
  })

  it("NUMERIC(38,10), unconstrained NUMERIC and BIGINT are numbers; a value a JSON number cannot carry exactly rejects its row, never goes as a string", async () => {
    const { properties, rejects } = await mapAll({ properties: ["precise", "loose", "big"] })
    // Row 3's precise value (17 digits) and bigint (2^53 + 1) and row 4's loose value do not fit.
    expect(properties).toEqual([
      { precise: 0.5, loose: 1.5, big: 42 },
      { precise: 12.25, loose: 210, big: 9007199254740991 }
    ])
    expect(rejects).toEqual([
      {
        row: 3,
        reason:
          'column "precise" is typed number (declared numeric(38,10)); "1234567.1234567891" has more digits than a JSON number carries exactly — use --column precise=string to send it as text'
      },
      {
        row: 4,
        reason:
          'column "loose" is typed number (declared numeric); "12345678901234567890.123456789" has more digits than a JSON number carries exactly — use --column loose=string to send it as text'
      }
    ])
  })

  it("bigNumbers: string sends every NUMERIC and BIGINT column as text; --column '*=string' every column", async () => {
    const text = await mapAll({ properties: ["monetary", "big"] }, { bigNumbers: "string" })
    expect(text.properties.map((p) => p.monetary)).toEqual(["1520.50", "210.00", "19.99", "4210.75"])
    expect(text.rejects).toEqual([])
    const all = await mapAll({ properties: ["monetary", "big", "loose"], columns: { "*": "string" } })
    expect(all.rejects).toEqual([])
    expect(all.properties[3]).toEqual({ monetary: "4210.75", big: "-7", loose: "12345678901234567890.123456789" })
  })

  it("preview tells each column's type and what decided it", async () => {
    const { columnTypes } = await mapAll({ properties: ["monetary"], columns: { label: "number" } })
    expect(columnTypes.find((line) => line.column === "monetary")).toEqual({ column: "monetary", type: "number", basis: "declared numeric(12,2)" })
    expect(columnTypes.find((line) => line.column === "label")).toEqual({ column: "label", type: "number", basis: "declared" })
  })
})
