import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api"
import { SourceError } from "@tablecast/core"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"

type Driver = typeof import("@duckdb/node-api")

let driver: Promise<Driver> | undefined

/** The official DuckDB package (its native binary comes with it), imported on first use. */
export const loadDriver = (): Promise<Driver> => {
  driver ??= import("@duckdb/node-api")
  return driver
}

/** SQL text for a string literal. */
export const sqlString = (text: string): string => `'${text.replaceAll("'", "''")}'`

/** What the database may touch: files (read one by one) and folders (every file under them). */
export interface Access {
  readonly files: ReadonlyArray<string>
  readonly directories: ReadonlyArray<string>
  readonly threads: number
  readonly memoryLimit: string
}

/**
 * The settings that make the embedded engine read-only and local, in order (each before the
 * lock): no extension installed or loaded on its own (none may be downloaded: httpfs, and with it
 * http(s):// and s3:// paths, is not available), no spilling to a temporary folder, file access
 * limited to the named files and folders, then external access off and the configuration locked,
 * so no statement can undo any of it.
 */
export const lockdownStatements = (access: Access): ReadonlyArray<string> => [
  `SET threads = ${access.threads}`,
  `SET memory_limit = ${sqlString(access.memoryLimit)}`,
  "SET temp_directory = ''",
  "SET preserve_insertion_order = true",
  `SET allowed_paths = [${access.files.map(sqlString).join(", ")}]`,
  `SET allowed_directories = [${access.directories.map(sqlString).join(", ")}]`,
  "SET enable_external_access = false",
  "SET lock_configuration = true"
]

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/** A DuckDB error as a SourceError: permission errors name what to do. */
export const toSourceError = (error: unknown, doing: string, row?: number): SourceError => {
  const text = errorText(error)
  if (error instanceof SourceError) return error
  const permission = /^Permission Error: (.*)/s.exec(text)
  if (permission !== null) {
    return new SourceError({
      message: `DuckDB: ${doing}: ${permission[1]!.split("\n", 1)[0]} — tablecast lets DuckDB read only the paths it was given (--duckdb <paths>, or "paths" in a config file), and no extension or remote (http, s3) path`,
      code: "permission-denied"
    })
  }
  const notFound = /^IO Error: (No files found|Cannot open file)/.test(text)
  return new SourceError({
    // DuckDB's message, without the caret diagram of the statement that follows a blank line.
    message: `DuckDB: ${doing}${row === undefined ? "" : ` (row ${row})`}: ${text.split("\n\n")[0]!.replaceAll("\n", "; ")}`,
    code: notFound ? "not-found" : /^(Parser|Binder|Catalog|Conversion|Invalid Input) Error/.test(text) ? "query" : "read"
  })
}

/**
 * An in-memory database and one connection for the scope's lifetime, locked down before any
 * statement of the user's runs (see `lockdownStatements`).
 */
export const openDatabase = (access: Access): Effect.Effect<DuckDBConnection, SourceError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        const { DuckDBInstance } = await loadDriver()
        const instance: DuckDBInstance = await DuckDBInstance.create(":memory:", {
          autoinstall_known_extensions: "false",
          autoload_known_extensions: "false"
        })
        const connection = await instance.connect()
        for (const statement of lockdownStatements(access)) await connection.run(statement)
        return { instance, connection }
      },
      catch: (error) => toSourceError(error, "opening the in-memory database")
    }),
    ({ instance, connection }) =>
      Effect.sync(() => {
        connection.closeSync()
        instance.closeSync()
      })
  ).pipe(Effect.map(({ connection }) => connection))
