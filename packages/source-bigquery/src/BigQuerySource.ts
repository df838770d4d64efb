import { createHash } from "node:crypto"
import { formatIssues, RowSource, type RowSourceShape, SourceError, type SourceItem } from "@tablecast/core"
import { convertPage, decidedColumns, SNOWFLAKE_LEXICON, singleStatement, trimQuery } from "@tablecast/source-sql"
import type { BigQuery, Job } from "@google-cloud/bigquery"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { readFile } from "node:fs/promises"
import { type DryRun, dryRun, fetchPage, lastModifiedTime, makeClient, type ResultPage, startQuery } from "./BigQueryClient.ts"
import { toSourceError } from "./BigQueryError.ts"
import { type BigQuerySettings, type Environment, resolveSettings } from "./BigQuerySettings.ts"
import { BigQuerySourceOptions, type BigQuerySourceOptionsInput } from "./BigQuerySourceOptions.ts"
import { parseTableName, quoteTableName } from "./BigQueryTableName.ts"
import { cellsOf, type ResultColumn, resultColumns } from "./BigQueryValues.ts"

/** What to read, as GoogleSQL. */
export interface BigQueryTarget {
  readonly sql: string
  readonly label: string
}

/** Everything a BigQuery source needs, resolved once: options, settings, target. */
export interface BigQueryPlan {
  readonly options: BigQuerySourceOptions
  readonly settings: BigQuerySettings
  readonly target: BigQueryTarget
  readonly description: string
}

// GoogleSQL escapes with a backslash in both quotes; a `;` the lexer misses is caught by the dry run's statementType.
const GOOGLE_SQL_LEXICON = { ...SNOWFLAKE_LEXICON, slashComments: false }

const resolveTarget = (options: BigQuerySourceOptions): Effect.Effect<BigQueryTarget, SourceError> =>
  Effect.gen(function* () {
    if (options.table !== undefined) {
      const text = options.table
      const table = yield* Effect.try({ try: () => parseTableName(text), catch: (error) => error as SourceError })
      const quoted = quoteTableName(table)
      return { sql: `SELECT * FROM ${quoted}`, label: `table ${quoted}` }
    }
    const query = (options.query ?? "").trim()
    const file = /^\S+\.sql$/i.test(query) ? query : undefined
    const text =
      file === undefined
        ? query
        : yield* Effect.tryPromise({
            try: () => readFile(file, "utf8"),
            catch: (error) => new SourceError({ message: `BigQuery: cannot read query file ${file}: ${String(error)}`, code: "not-found" })
          })
    const checked = singleStatement(trimQuery(text), GOOGLE_SQL_LEXICON)
    if (checked._tag === "Refused") {
      return yield* new SourceError({
        message: `BigQuery: the ${file === undefined ? "query" : `query file ${file}`} (--query) ${checked.reason}`,
        code: "config"
      })
    }
    const line = checked.sql.split("\n", 1)[0]!.trim()
    return { sql: checked.sql, label: file === undefined ? `query "${line.length > 60 ? `${line.slice(0, 57)}...` : line}"` : `query ${file}` }
  })

/** Checks the options, reads the key file and resolves the target; no network yet. */
export const plan = (input: BigQuerySourceOptionsInput, env: Environment = process.env): Effect.Effect<BigQueryPlan, SourceError> =>
  Effect.gen(function* () {
    const parsed = BigQuerySourceOptions.safeParse(input)
    if (!parsed.success) {
      return yield* new SourceError({ message: `BigQuery source options:\n${formatIssues(parsed.error)}`, code: "config" })
    }
    const options = parsed.data
    const settings = yield* resolveSettings(options, env)
    const target = yield* resolveTarget(options)
    return { options, settings, target, description: `${settings.description} ${target.label}` }
  })

const request = (p: BigQueryPlan) => ({
  sql: p.target.sql,
  location: p.settings.location,
  maximumBytesBilled: p.options.maximumBytesBilled === undefined ? undefined : String(p.options.maximumBytesBilled)
})

/** The authenticated client (nothing is sent until the first request). */
export const client = (p: BigQueryPlan): Effect.Effect<BigQuery, SourceError> =>
  Effect.tryPromise({ try: () => makeClient(p.settings), catch: (error) => toSourceError(error, "loading the client", p.settings.secrets) })

/**
 * The dry run: what the query would scan, checked to be one SELECT (BigQuery's own statementType,
 * so a script or DML is refused before anything runs) and within `maximumBytesBilled`.
 */
export const estimate = (bigquery: BigQuery, p: BigQueryPlan): Effect.Effect<DryRun, SourceError> =>
  Effect.gen(function* () {
    const answer = yield* Effect.tryPromise({
      try: () => dryRun(bigquery, request(p)),
      catch: (error) => toSourceError(error, `estimating ${p.target.label} (dry run)`, p.settings.secrets)
    })
    if (answer.statementType !== undefined && answer.statementType !== "SELECT") {
      return yield* new SourceError({
        message: `BigQuery: the ${p.target.label} is a ${answer.statementType} statement; tablecast runs exactly one SELECT`,
        code: "config"
      })
    }
    const limit = p.options.maximumBytesBilled
    if (limit !== undefined && answer.totalBytesProcessed > Number(limit)) {
      return yield* new SourceError({
        message: `BigQuery: the ${p.target.label} would process ${answer.totalBytesProcessed} bytes, over maximumBytesBilled ${limit} (--bigquery-max-bytes-billed); nothing was run`,
        code: "quota",
        driverCode: "bytesBilledLimitExceeded"
      })
    }
    return answer
  })

/** The first page of a query job, after its dry run: what `estimatedRows`, `columnTypes` and `rows` start from. */
interface Started {
  readonly job: Job
  readonly first: ResultPage
  readonly columns: ReadonlyArray<ResultColumn>
}

const start = (bigquery: BigQuery, p: BigQueryPlan, dryRunOnce: Effect.Effect<DryRun, SourceError>): Effect.Effect<Started, SourceError> =>
  Effect.gen(function* () {
    yield* dryRunOnce
    const doing = `reading ${p.target.label}`
    const job = yield* Effect.tryPromise({
      try: () => startQuery(bigquery, request(p)),
      catch: (error) => toSourceError(error, doing, p.settings.secrets)
    })
    const first = yield* Effect.tryPromise({
      try: () => fetchPage(job, p.options.pageSize, undefined),
      catch: (error) => toSourceError(error, doing, p.settings.secrets)
    })
    const columns = yield* Effect.try({
      try: () => resultColumns(first.fields, { bigNumbers: p.options.bigNumbers, binary: p.options.binary }, doing),
      catch: (error) => toSourceError(error, doing, p.settings.secrets)
    })
    return { job, first, columns }
  })

/**
 * The rows of a started job, a results page at a time: the next page is asked for only when the
 * stream is pulled, so memory holds one page whatever the result's size.
 */
const jobRows = (started: Started, p: BigQueryPlan): Stream.Stream<SourceItem, SourceError> => {
  let rowNumber = 0
  const doing = `reading ${p.target.label}`
  const convert = (page: ResultPage) => {
    const items = convertPage(started.columns, page.rows.map(cellsOf), rowNumber)
    rowNumber += page.rows.length
    return items
  }
  return Stream.paginate(started.first as ResultPage | undefined, (page) =>
    page === undefined
      ? Effect.succeed([[], Option.none()] as const)
      : page.pageToken === undefined
        ? Effect.succeed([convert(page), Option.none()] as const)
        : Effect.tryPromise({
            try: () => fetchPage(started.job, p.options.pageSize, page.pageToken),
            catch: (error) => toSourceError(error, doing, p.settings.secrets, { row: rowNumber + 1 })
          }).pipe(Effect.map((next) => [convert(page), Option.some(next)] as const))
  )
}

/**
 * The project, location and SQL, and the last-modified time of every table the dry run says the
 * query reads (tables.get), so a resume after the data changed is refused rather than skipping
 * rows that are no longer the ones delivered. A table the account may not describe counts as
 * unchanged.
 */
export const fingerprintOf = (
  bigquery: BigQuery,
  p: BigQueryPlan,
  dryRunOnce: Effect.Effect<DryRun, SourceError>
): Effect.Effect<string, SourceError> =>
  Effect.gen(function* () {
    const { referencedTables } = yield* dryRunOnce
    const tables = yield* Effect.forEach(referencedTables, (table) => {
      const name = `${table.projectId}.${table.datasetId}.${table.tableId}`
      return Effect.tryPromise({
        try: async () => ({ table: name, lastModified: await lastModifiedTime(bigquery, table) }),
        catch: (error) =>
          toSourceError(error, `fingerprinting ${p.target.label} (tables.get ${table.datasetId}.${table.tableId})`, p.settings.secrets)
      }).pipe(
        // A table the account may query but not describe (under an authorized view): the read goes
        // ahead, that table's changes are not followed (the docs say so).
        Effect.catchIf(
          (error) => error.code === "auth" || error.code === "not-found",
          () => Effect.succeed({ table: name, lastModified: "unreadable" })
        )
      )
    })
    tables.sort((a, b) => (a.table < b.table ? -1 : a.table > b.table ? 1 : 0))
    const digest = createHash("sha256")
      .update(JSON.stringify({ project: p.settings.projectId, location: p.settings.location?.toUpperCase(), sql: p.target.sql, tables }))
      .digest("hex")
    return `bigquery:v2:${digest}`
  })

/**
 * A BigQuery `RowSource`: a dry run (statement check, bytes), then one query job whose pages are
 * read as the pipeline pulls. `estimatedRows` and `columnTypes` start the job and keep its first
 * page for `rows`, so the query runs once.
 */
export const make = (input: BigQuerySourceOptionsInput, env: Environment = process.env): Effect.Effect<RowSourceShape, SourceError, Scope.Scope> =>
  Effect.gen(function* () {
    const p = yield* plan(input, env)
    const bigquery = yield* Effect.cached(client(p))
    // One dry run serves the checks before the job and `scanEstimate` (what `tablecast plan` shows).
    const dryRunOnce = yield* Effect.cached(Effect.flatMap(bigquery, (each) => estimate(each, p)))
    let started: Started | undefined
    const startOnce = yield* Effect.cached(
      Effect.flatMap(bigquery, (each) => start(each, p, dryRunOnce)).pipe(Effect.tap((value) => Effect.sync(() => (started = value))))
    )
    const fingerprint = Effect.flatMap(bigquery, (each) => fingerprintOf(each, p, dryRunOnce))
    const rows = Stream.unwrap(
      Effect.gen(function* () {
        const kept = started ?? (yield* startOnce)
        started = undefined
        return jobRows(kept, p)
      })
    )
    return {
      description: p.description,
      estimatedRows: Effect.map(startOnce, (value) => value.first.totalRows),
      fingerprint,
      columns: Effect.map(startOnce, (value) => value.columns.map((column) => column.name)),
      // The result's declared types decide what `auto` sends each column as.
      columnTypes: Effect.map(startOnce, (value) => decidedColumns(value.columns, p.options.bigNumbers)),
      scanEstimate: Effect.map(dryRunOnce, (dry) => ({ bytesProcessed: dry.totalBytesProcessed, source: "BigQuery dry run" })),
      rows
    }
  })

/** Provides the core's `RowSource` reading BigQuery. */
export const layer = (input: BigQuerySourceOptionsInput, env: Environment = process.env): Layer.Layer<RowSource, SourceError> =>
  Layer.effect(RowSource)(make(input, env))
