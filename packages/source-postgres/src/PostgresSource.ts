import { createHash } from "node:crypto"
import { formatIssues, RowSource, type RowSourceShape, SourceError, type SourceItem } from "@tablecast/core"
import { type DatabaseIdentity, type DigestedItem, SourceDigests, type SourceDigestsShape } from "@tablecast/incremental"
import { convertPage, decidedColumns, quoteIdentifier, type ReadTarget, resolveTarget } from "@tablecast/source-sql"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type pg from "pg"
import Cursor from "pg-cursor"
import {
  connect,
  connectionSecrets,
  type Environment,
  type PostgresConnection,
  RAW_TEXT_TYPES,
  resolveConnection,
  runQuery
} from "./PostgresConnection.ts"
import { toSourceError } from "./PostgresError.ts"
import {
  PostgresConnectionOptions,
  type PostgresConnectionOptionsInput,
  PostgresSourceOptions,
  type PostgresSourceOptionsInput
} from "./PostgresSourceOptions.ts"
import { PostgresTableName, type TableName } from "./PostgresTableName.ts"
import { describeColumns, type ResultColumn } from "./ResultColumns.ts"

/** Everything a Postgres source needs, resolved once: options, connection, target, secrets to scrub. */
export interface PostgresPlan {
  readonly options: PostgresSourceOptions
  readonly connection: PostgresConnection
  readonly target: ReadTarget<TableName>
  readonly secrets: ReadonlyArray<string>
  readonly description: string
}

/** Checks the options and resolves the connection and the target; no network yet. */
export const plan = (input: PostgresSourceOptionsInput, env: Environment = process.env): Effect.Effect<PostgresPlan, SourceError> =>
  Effect.gen(function* () {
    const parsed = PostgresSourceOptions.safeParse(input)
    if (!parsed.success) {
      return yield* new SourceError({
        message: `Postgres source options:\n${formatIssues(parsed.error)}`,
        code: "config"
      })
    }
    const options = parsed.data
    const connection = yield* resolveConnection(options, env)
    const target = yield* resolveTarget(PostgresTableName, options)
    return {
      options,
      connection,
      target,
      secrets: connectionSecrets(connection, options),
      description: `${connection.description} ${target.label}`
    }
  })

/** A scoped client for `plan`'s connection. */
export const connectFor = (p: PostgresPlan) => connect(p.connection, p.secrets, { readOnly: p.options.readOnly })

interface ExplainNode {
  readonly "Plan Rows"?: number
  readonly "Relation Name"?: string
  readonly Schema?: string
  readonly Plans?: ReadonlyArray<ExplainNode>
}

const explain = (client: pg.Client, p: PostgresPlan, verbose: boolean) =>
  runQuery<[string]>(
    client,
    `EXPLAIN (FORMAT JSON${verbose ? ", VERBOSE" : ""}) ${p.target.sql}`,
    [],
    `estimating ${p.target.label}`,
    p.secrets
  ).pipe(
    Effect.map((result) => {
      const text = result.rows[0]?.[0]
      const parsed = typeof text === "string" ? (JSON.parse(text) as ReadonlyArray<{ Plan: ExplainNode }>) : []
      return parsed[0]?.Plan
    })
  )

/**
 * The row count as the planner sees it: a table's `reltuples` (kept by VACUUM/ANALYZE), or the
 * EXPLAIN estimate of a query (and of a table never analyzed). No row is read.
 */
export const estimateRows = (client: pg.Client, p: PostgresPlan): Effect.Effect<number | undefined, SourceError> =>
  Effect.gen(function* () {
    if (p.target._tag === "Table") {
      const result = yield* runQuery<[string, string]>(
        client,
        "SELECT reltuples::float8, relkind FROM pg_catalog.pg_class WHERE oid = $1::regclass",
        [p.target.quoted],
        `estimating ${p.target.label}`,
        p.secrets
      )
      const [reltuples, relkind] = result.rows[0] ?? []
      const estimate = Number(reltuples)
      if (relkind === "r" && Number.isFinite(estimate) && estimate > 0) return Math.round(estimate)
    }
    const node = yield* explain(client, p, false)
    const rows = node?.["Plan Rows"]
    return typeof rows === "number" && Number.isFinite(rows) ? Math.round(rows) : undefined
  })

const relationsOf = (node: ExplainNode | undefined, into: Set<string>): Set<string> => {
  if (node === undefined) return into
  if (node["Relation Name"] !== undefined) {
    const name = quoteIdentifier(node["Relation Name"])
    into.add(node.Schema === undefined ? name : `${quoteIdentifier(node.Schema)}.${name}`)
  }
  for (const child of node.Plans ?? []) relationsOf(child, into)
  return into
}

/**
 * The query text with, for every table the plan reads (views expand to their tables), its
 * storage identity and its insert/update/delete counters: a change to the data changes it.
 */
export const fingerprintOf = (client: pg.Client, p: PostgresPlan): Effect.Effect<string, SourceError> =>
  Effect.gen(function* () {
    const relations = [...relationsOf(yield* explain(client, p, true), new Set())].sort()
    const stats =
      relations.length === 0
        ? []
        : (yield* runQuery(
            client,
            `SELECT c.oid::regclass::text, c.relfilenode::text, coalesce(s.n_tup_ins, 0)::text,
                    coalesce(s.n_tup_upd, 0)::text, coalesce(s.n_tup_del, 0)::text
               FROM pg_catalog.pg_class c
               LEFT JOIN pg_catalog.pg_stat_all_tables s ON s.relid = c.oid
              WHERE c.oid = ANY($1::regclass[])
              ORDER BY 1`,
            [relations],
            `fingerprinting ${p.target.label}`,
            p.secrets
          )).rows
    const digest = createHash("sha256")
      .update(JSON.stringify({ database: p.connection.database, sql: p.target.sql, stats }))
      .digest("hex")
    return `postgres:v1:${digest}`
  })

const readPage = (cursor: Cursor<Array<unknown>>, size: number): Effect.Effect<Array<Array<unknown>>, unknown> =>
  Effect.callback<Array<Array<unknown>>, unknown>((resume) => {
    cursor.read(size, (error, rows) => resume(error ? Effect.fail(error) : Effect.succeed(rows)))
  })

/**
 * Reads `sql` (over `p`'s target) through a server-side cursor, `pageSize` rows per round trip. A
 * page is fetched only when the stream is pulled, so a slow consumer holds the read (nothing is
 * read ahead), and the connection closes when the stream ends or is interrupted. With `digest`,
 * the read's last column is the row's digest, kept in `sourceDigest`.
 */
const readTarget = (
  p: PostgresPlan,
  read: { readonly sql: string; readonly values?: ReadonlyArray<unknown>; readonly digest: boolean; readonly workMem?: string }
): Stream.Stream<DigestedItem, SourceError> =>
  Stream.unwrap(
    Effect.gen(function* () {
      const client = yield* connectFor(p)
      const doing = `reading ${p.target.label}`
      const columns: ReadonlyArray<ResultColumn> = yield* describeColumns(
        client,
        p.target.sql,
        { bigNumbers: p.options.bigNumbers, binary: p.options.binary },
        doing,
        p.secrets
      )
      if (read.workMem !== undefined) yield* runQuery(client, `SET work_mem = '${read.workMem}'`, [], doing, p.secrets)
      const cursor = client.query(
        new Cursor<Array<unknown>>(read.sql, read.values as Array<unknown> | undefined, { rowMode: "array", types: RAW_TEXT_TYPES })
      )
      const pageSize = p.options.pageSize
      const last = columns.length
      let rowNumber = 0
      return Stream.paginate(undefined, () =>
        readPage(cursor, pageSize).pipe(
          Effect.mapError((error) => toSourceError(error, doing, p.secrets, { row: rowNumber + 1 })),
          Effect.map((page) => {
            let items = convertPage(columns, page, rowNumber)
            if (read.digest) {
              items = items.map((item, index): DigestedItem => {
                const digest = page[index]![last]
                return "_tag" in item || typeof digest !== "string" ? item : { ...item, sourceDigest: digest }
              })
            }
            rowNumber += page.length
            return [items, page.length < pageSize ? Option.none() : Option.some(undefined)] as const
          })
        )
      )
    })
  )

/**
 * What `auto` sends each column of `p`'s target as, from the types the query's result declares
 * (`decidedColumn`): found with the query planned, not run.
 */
export const columnTypesOf = (client: pg.Client, p: PostgresPlan) =>
  Effect.map(
    describeColumns(
      client,
      p.target.sql,
      { bigNumbers: p.options.bigNumbers, binary: p.options.binary },
      `reading the column types of ${p.target.label}`,
      p.secrets
    ),
    (columns) => decidedColumns(columns, p.options.bigNumbers)
  )

/** The rows of `p`'s target. */
export const streamRows = (p: PostgresPlan): Stream.Stream<SourceItem, SourceError> => readTarget(p, { sql: p.target.sql, digest: false })

/** The SQL of `SourceDigests.relation.select`: every row of the target as a whole, its digest, and how many rows share its key. */
export const digestSql = (p: PostgresPlan, key: ReadonlyArray<string>, withRow = false): string =>
  // The target on lines of its own: a query ending in a line comment keeps its closing parenthesis.
  `SELECT ${withRow ? `t AS "__tablecast_row", ` : ""}md5(t::text) AS "__tablecast_digest",
          count(*) OVER (PARTITION BY ${key.map((column) => `t.${quoteIdentifier(column)}`).join(", ")}) AS "__tablecast_copies"
     FROM (\n${p.target.sql}\n) AS t`

/**
 * The target's rows, each with its digest as a last column; `filtered`: without the rows of a key
 * that appears once whose digest is one of the sync's snapshot entries (unchanged since last
 * acknowledged: they never leave the server). The digest is the row's text form under the
 * session's fixed settings (UTC, ISO dates, shortest exact floats): the store computes it alike.
 */
export const digestReadSql = (p: PostgresPlan, filtered: boolean): string => {
  const filter = p.options.digestFilter!
  if (!filtered) return `SELECT t.*, md5(t::text) AS "__tablecast_digest" FROM (\n${p.target.sql}\n) AS t`
  // An outer join rather than NOT EXISTS under the OR: the planner can hash it (one pass over each
  // side) instead of probing the snapshot's index once per row. A digest is one entry's at most
  // (the same digest is the same row, so the same key), so no row comes twice.
  const snapshot = `${quoteIdentifier(filter.schema)}.${quoteIdentifier(filter.table)}`
  const digest = quoteIdentifier(filter.digestColumn)
  return `SELECT (u."__tablecast_row").*, u."__tablecast_digest" FROM (${digestSql(p, filter.key, true)}) AS u
           LEFT JOIN (SELECT ${digest} AS source_digest FROM ${snapshot} WHERE ${quoteIdentifier(filter.syncColumn)} = $1 AND ${digest} IS NOT NULL) AS s
                  ON s.source_digest = u."__tablecast_digest"
           WHERE s.source_digest IS NULL OR u."__tablecast_copies" > 1`
}

/** `streamRows` with each row's digest (the read's last column) in `sourceDigest`. */
export const streamDigestRows = (p: PostgresPlan, filtered: boolean): Stream.Stream<DigestedItem, SourceError> =>
  readTarget(p, {
    sql: digestReadSql(p, filtered),
    digest: true,
    // Room for the filter's hash join (about 70 MB per 1,000,000 rows); this session does nothing else.
    ...(filtered ? { values: [p.options.digestFilter!.sync], workMem: "64MB" } : {})
  })

/**
 * Where a connection goes (user, host, port, database), resolved as the source resolves it
 * (options, URL, PG* variables): two settings that answer the same reach the same database as the
 * same user. Undefined when the settings are invalid.
 */
export const databaseIdentity = (input: PostgresConnectionOptionsInput, env: Environment = process.env): DatabaseIdentity | undefined => {
  const parsed = PostgresConnectionOptions.safeParse(input)
  if (!parsed.success) return undefined
  const resolved = Effect.runSyncExit(resolveConnection(parsed.data, env))
  if (resolved._tag !== "Success") return undefined
  const { user, host, port, database } = resolved.value
  return { user, host, port, database }
}

/** `databaseIdentity` as text, `["user","host",port,"database"]`: equal texts reach the same database as the same user. */
export const connectionIdentity = (input: PostgresConnectionOptionsInput, env: Environment = process.env): string | undefined => {
  const identity = databaseIdentity(input, env)
  return identity === undefined ? undefined : JSON.stringify([identity.user, identity.host, identity.port, identity.database])
}

/** A Postgres `RowSource` for the options (see `PostgresSourceOptions`). */
export const make = (input: PostgresSourceOptionsInput, env: Environment = process.env): Effect.Effect<RowSourceShape, SourceError> =>
  Effect.map(plan(input, env), (p) => ({
    description: p.description,
    estimatedRows: Effect.scoped(Effect.flatMap(connectFor(p), (client) => estimateRows(client, p))),
    fingerprint: Effect.scoped(Effect.flatMap(connectFor(p), (client) => fingerprintOf(client, p))),
    columnTypes: Effect.scoped(Effect.flatMap(connectFor(p), (client) => columnTypesOf(client, p))),
    rows: streamRows(p)
  }))

/**
 * The source's digests for a diff in the database (the incremental package's `SourceDigests`), or
 * undefined without a `digestFilter`.
 */
export const makeDigests = (
  input: PostgresSourceOptionsInput,
  env: Environment = process.env
): Effect.Effect<SourceDigestsShape | undefined, SourceError> =>
  Effect.map(plan(input, env), (p) =>
    p.options.digestFilter === undefined
      ? undefined
      : {
          relation: { select: digestSql(p, p.options.digestFilter.key), digestColumn: "__tablecast_digest", copiesColumn: "__tablecast_copies" },
          settings: JSON.stringify({ bigNumbers: p.options.bigNumbers, binary: p.options.binary }),
          rows: (filtered: boolean) => streamDigestRows(p, filtered)
        }
  )

/** Provides the core's `RowSource` reading Postgres. Fails at build time only on bad options. */
export const layer = (input: PostgresSourceOptionsInput, env: Environment = process.env): Layer.Layer<RowSource, SourceError> =>
  Layer.effect(RowSource)(make(input, env))

/**
 * Provides the core's `RowSource` reading Postgres and, with a `digestFilter`, the `SourceDigests`
 * an incremental run diffs in the database with.
 */
export const digestsLayer = (
  input: PostgresSourceOptionsInput,
  env: Environment = process.env
): Layer.Layer<RowSource | SourceDigests, SourceError> =>
  Layer.effectContext(
    Effect.gen(function* () {
      const source = yield* make(input, env)
      const digests = yield* makeDigests(input, env)
      const context = Context.make(RowSource, source)
      // Without digests the run reads every row itself: a `SourceDigests` is never provided empty.
      return (digests === undefined ? context : Context.add(context, SourceDigests, digests)) as Context.Context<RowSource | SourceDigests>
    })
  )
