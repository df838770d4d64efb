import { readFile, stat } from "node:fs/promises"
import path from "node:path"
import type { DuckDBConnection } from "@duckdb/node-api"
import { SourceError } from "@tablecast/core"
import { trimQuery } from "@tablecast/source-sql"
import * as Effect from "effect/Effect"
import { type Access, loadDriver, sqlString, toSourceError } from "./DuckDBDatabase.ts"
import { FILE_FORMATS, type FileFormat, type DuckDBSourceOptions } from "./DuckDBSourceOptions.ts"

/** What to read: one file (or glob) in a known format, or the user's query; and what the database may read for it. */
export interface DuckDBTarget {
  readonly _tag: "File" | "Query"
  readonly sql: string
  readonly label: string
  readonly access: Access
  /** The files and folders named (absolute), for the fingerprint. */
  readonly paths: ReadonlyArray<string>
}

const GLOB = /[*?[{]/

/** The reader of a format, as DuckDB's table function over the (absolute) path. */
export const readerSql = (file: string, format: FileFormat): string => {
  switch (format) {
    case "parquet":
      return `SELECT * FROM read_parquet(${sqlString(file)})`
    case "ndjson":
      return `SELECT * FROM read_json(${sqlString(file)}, format = 'newline_delimited')`
    case "json":
      return `SELECT * FROM read_json(${sqlString(file)})`
    case "csv":
      return `SELECT * FROM read_csv(${sqlString(file)})`
  }
}

/** The format of a file, from `format` or its extension; undefined when neither says. */
export const formatOf = (file: string, format: FileFormat | undefined): FileFormat | undefined =>
  format ?? FILE_FORMATS[path.extname(file).toLowerCase() as keyof typeof FILE_FORMATS]

/** The folder a glob's matches can be in: its part before the first wildcard. */
const globRoot = (pattern: string): string => {
  const before = pattern.slice(0, pattern.search(GLOB))
  return before.endsWith(path.sep) ? before : path.dirname(before)
}

const withSeparator = (folder: string): string => (folder.endsWith(path.sep) ? folder : `${folder}${path.sep}`)

const firstLine = (sql: string): string => {
  const line = sql.split("\n", 1)[0]!.trim()
  return line.length > 60 ? `${line.slice(0, 57)}...` : line
}

/** Resolves a `file` or a `query` (text or `.sql` file) into the SQL that reads it; paths are made absolute. */
export const resolveTarget = (
  options: DuckDBSourceOptions,
  limits: Pick<Access, "threads" | "memoryLimit">
): Effect.Effect<DuckDBTarget, SourceError> =>
  Effect.gen(function* () {
    if (options.file !== undefined) {
      const file = path.resolve(options.file)
      const format = formatOf(file, options.format)
      if (format === undefined) {
        return yield* new SourceError({
          message: `DuckDB: cannot tell the format of ${options.file} from its extension: name it (format: parquet, ndjson, json or csv)`,
          code: "config"
        })
      }
      const glob = GLOB.test(file)
      // DuckDB would take a missing file for a folder to search, and name a path nobody gave.
      if (
        !glob &&
        (yield* Effect.promise(() =>
          stat(file).then(
            (stats) => stats.isFile(),
            () => false
          )
        )) === false
      ) {
        return yield* new SourceError({ message: `DuckDB: cannot read ${options.file}: no such file`, code: "not-found" })
      }
      const access = glob ? { files: [], directories: [withSeparator(globRoot(file))] } : { files: [file], directories: [] }
      return {
        _tag: "File",
        sql: readerSql(file, format),
        label: `file ${options.file}`,
        access: { ...access, ...limits },
        paths: [file]
      } as const
    }
    const named = (options.paths ?? []).map((each) => path.resolve(each))
    // A named path that does not exist yet is taken as a folder unless it has an extension.
    const access = yield* Effect.promise(async () => {
      const files: Array<string> = []
      const directories: Array<string> = []
      for (const each of named) {
        const isDirectory = await stat(each).then(
          (stats) => stats.isDirectory(),
          () => !path.extname(each)
        )
        if (isDirectory) directories.push(withSeparator(each))
        else files.push(each)
      }
      return { files, directories }
    })
    const query = options.query!.trim()
    if (/^\S+\.sql$/i.test(query)) {
      const text = yield* Effect.tryPromise({
        try: () => readFile(query, "utf8"),
        catch: (error) =>
          new SourceError({
            message: `DuckDB: cannot read query file ${query}: ${error instanceof Error ? error.message : String(error)}`,
            code: "not-found"
          })
      })
      const sql = trimQuery(text)
      if (sql === "") return yield* new SourceError({ message: `DuckDB: query file ${query} is empty`, code: "config" })
      return { _tag: "Query", sql, label: `query ${query}`, access: { ...access, ...limits }, paths: named } as const
    }
    const sql = trimQuery(query)
    if (sql === "") return yield* new SourceError({ message: "DuckDB: the query is empty", code: "config" })
    return { _tag: "Query", sql, label: `query "${firstLine(sql)}"`, access: { ...access, ...limits }, paths: named } as const
  })

/**
 * Refuses anything but exactly one statement that DuckDB's own parser classifies as a SELECT
 * (SELECT, WITH … SELECT, FROM-first, VALUES): an in-memory database can still write files
 * (`COPY … TO`, `ATTACH`, `EXPORT DATABASE`) and change settings.
 */
export const checkOneSelect = (connection: DuckDBConnection, target: DuckDBTarget): Effect.Effect<void, SourceError> =>
  Effect.tryPromise({
    try: async () => {
      const { StatementType } = await loadDriver()
      const extracted = await connection.extractStatements(target.sql)
      if (extracted.count !== 1) {
        throw new SourceError({
          message: `DuckDB: the ${target.label} (--query) holds ${extracted.count} statements; tablecast runs exactly one SELECT (or WITH … SELECT)`,
          code: "config"
        })
      }
      const prepared = await connection.prepare(target.sql)
      const type = prepared.statementType
      prepared.destroySync()
      if (type !== StatementType.SELECT) {
        throw new SourceError({
          message: `DuckDB: the ${target.label} (--query) is not a SELECT (statement type ${StatementType[type] ?? type}); tablecast runs exactly one SELECT (or WITH … SELECT), which cannot write`,
          code: "config"
        })
      }
    },
    catch: (error) => toSourceError(error, `checking the ${target.label}`)
  })
