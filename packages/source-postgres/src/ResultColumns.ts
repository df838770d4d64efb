import type { SourceError } from "@tablecast/core"
import { type ConversionOptions, duplicateColumnError, refusedBinaryError, type ValueKind } from "@tablecast/source-sql"
import * as Effect from "effect/Effect"
import type pg from "pg"
import { runQuery } from "./PostgresConnection.ts"
import { conversionFor, needsTypeInfo, type PgTypeInfo } from "./ValueConverter.ts"

/** One column of a result: its name, its Postgres type, and how its text becomes JSON. */
export interface ResultColumn {
  readonly name: string
  readonly oid: number
  /** The table and column the value comes straight from, when it does (0 otherwise). */
  readonly tableOid: number
  readonly columnNumber: number
  /** The type as Postgres writes it, e.g. `numeric(12,2)`, `timestamp with time zone`, `text[]`. */
  readonly sourceType: string
  readonly kind: ValueKind
  readonly convert: (text: string) => unknown
}

/** The SQL that describes a query's columns without running it to the end. */
export const limitedQuery = (sql: string, limit: number): string =>
  // Newlines keep a trailing `-- comment` in the user's SQL from swallowing the parenthesis.
  `SELECT * FROM (\n${sql}\n) AS tablecast_query LIMIT ${Math.max(0, Math.trunc(limit))}`

const loadTypeInfo = (
  client: pg.Client,
  oids: ReadonlyArray<number>,
  secrets: ReadonlyArray<string>
): Effect.Effect<Map<number, PgTypeInfo>, SourceError> =>
  Effect.gen(function* () {
    const types = new Map<number, PgTypeInfo>()
    let wanted = [...new Set(oids.filter(needsTypeInfo))]
    // Arrays point at elements and domains at base types: follow them a few levels down.
    for (let round = 0; round < 5 && wanted.length > 0; round++) {
      const result = yield* runQuery<[string, string, string, string, string, string, string]>(
        client,
        "SELECT oid::int4, typname, typtype, typcategory, typelem::int4, typbasetype::int4, typdelim FROM pg_catalog.pg_type WHERE oid = ANY($1::oid[])",
        [wanted],
        "reading column types",
        secrets
      )
      for (const [oid, name, type, category, element, base, delimiter] of result.rows) {
        types.set(Number(oid), {
          oid: Number(oid),
          name,
          type,
          category,
          element: Number(element),
          base: Number(base),
          delimiter
        })
      }
      wanted = [...types.values()].flatMap((info) => [info.element, info.base]).filter((oid) => oid !== 0 && needsTypeInfo(oid) && !types.has(oid))
    }
    return types
  })

/**
 * The columns of `sql`'s result, found by running it with `LIMIT 0` (the planner runs, no row is
 * read), with the conversion of each. Fails before any row is read when the query is wrong, the
 * table is missing, two columns share a name, or a binary column is refused.
 */
export const describeColumns = (
  client: pg.Client,
  sql: string,
  options: ConversionOptions,
  doing: string,
  secrets: ReadonlyArray<string>
): Effect.Effect<ReadonlyArray<ResultColumn>, SourceError> =>
  Effect.gen(function* () {
    const described = yield* runQuery(client, limitedQuery(sql, 0), [], doing, secrets)
    const fields = described.fields
    const duplicate = duplicateColumnError("Postgres", fields, doing)
    if (duplicate !== undefined) return yield* duplicate
    const types = yield* loadTypeInfo(
      client,
      fields.map((field) => field.dataTypeID),
      secrets
    )
    const names = yield* runQuery<[string]>(
      client,
      "SELECT pg_catalog.format_type(t.oid, t.mod) FROM unnest($1::oid[], $2::int4[]) WITH ORDINALITY AS t(oid, mod, n) ORDER BY t.n",
      [fields.map((field) => field.dataTypeID), fields.map((field) => field.dataTypeModifier)],
      "reading column types",
      secrets
    )
    const columns = fields.map((field, index): ResultColumn => {
      const conversion = conversionFor(field.dataTypeID, types, options)
      return {
        name: field.name,
        oid: field.dataTypeID,
        tableOid: field.tableID,
        columnNumber: field.columnID,
        sourceType: names.rows[index]?.[0] ?? String(field.dataTypeID),
        kind: conversion.kind,
        convert: conversion.convert
      }
    })
    const refused = refusedBinaryError("Postgres", columns, options, doing)
    if (refused !== undefined) return yield* refused
    return columns
  })
