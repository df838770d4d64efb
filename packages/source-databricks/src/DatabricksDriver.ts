import { createRequire } from "node:module"
import type { SourceError } from "@tablecast/core"
import type { DBSQLClient } from "@databricks/sql"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { DatabricksSettings } from "./DatabricksSettings.ts"
import { toSourceError } from "./DatabricksError.ts"
import { installExactValues, markClient } from "./ExactDriverValues.ts"
import type { ThriftColumn } from "./DatabricksValues.ts"

type Driver = typeof import("@databricks/sql")
type Session = Awaited<ReturnType<DBSQLClient["openSession"]>>
export type Operation = Awaited<ReturnType<Session["executeStatement"]>>

let driver: Promise<Driver> | undefined

/**
 * The official driver, imported on first use (the hosts check first that it is installed, and name
 * it when not), taught to keep TIMESTAMP microseconds and nested DECIMALs exact for tablecast's clients.
 */
export const loadDriver = (): Promise<Driver> => {
  driver ??= import("@databricks/sql").then((module) => {
    try {
      installExactValues(createRequire(import.meta.url).resolve("@databricks/sql"))
    } catch (error) {
      // A driver whose internals moved would send timestamps cut to the millisecond and nested
      // decimals as text: the run stops, naming the driver, rather than send values that are not exact.
      throw new Error(
        `the installed @databricks/sql does not convert Arrow values the way tablecast reads them exactly (TIMESTAMP microseconds, nested DECIMALs); install @databricks/sql 2.1 (${error instanceof Error ? error.message : String(error)})`
      )
    }
    return ((module as { default?: Driver }).default ?? module) as Driver
  })
  return driver
}

// The driver logs to the console by default; tablecast reports errors itself, scrubbed of secrets.
const silent = { log: () => {} }

/** The options of `DBSQLClient.connect`: certificates always checked, no driver telemetry, no cloud fetch. */
export const connectOptions = (settings: DatabricksSettings) => ({
  host: settings.host,
  port: settings.port,
  path: settings.httpPath,
  ...(settings.credentials._tag === "Token"
    ? { token: settings.credentials.token }
    : {
        authType: "databricks-oauth" as const,
        oauthClientId: settings.credentials.clientId,
        oauthClientSecret: settings.credentials.clientSecret
      }),
  ...(settings.caCert === undefined ? {} : { customCaCert: settings.caCert }),
  ...(settings.proxy === undefined ? {} : { proxy: settings.proxy }),
  userAgentEntry: "tablecast",
  // Exact DECIMAL (as text) and BIGINT (as bigint) instead of the driver's lossy numbers.
  preserveBigNumericPrecision: true,
  // Results come inline from the warehouse, page by page, rather than as files fetched from cloud
  // storage: one page in memory at a time, and no address but the workspace's is contacted.
  useCloudFetch: false,
  // The driver would otherwise post usage events to the workspace.
  telemetryEnabled: false
})

/** A connected client and an open session for the scope's lifetime; both are closed with the scope. */
export const openSession = (settings: DatabricksSettings): Effect.Effect<Session, SourceError, Scope.Scope> =>
  Effect.gen(function* () {
    const doing = `connecting to ${settings.description}`
    const client = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: async () => {
          const { DBSQLClient } = await loadDriver()
          const created = new DBSQLClient({ logger: silent as never })
          markClient(created)
          // A connection event with no listener would crash the process; the calls report their own failures.
          created.on("error", () => {})
          return (await created.connect(connectOptions(settings) as never)) as DBSQLClient
        },
        catch: (error) => toSourceError(error, doing, settings.secrets)
      }),
      (opened) => Effect.promise(() => opened.close().catch(() => undefined))
    )
    return yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () =>
          client.openSession({
            ...(settings.catalog === undefined ? {} : { initialCatalog: settings.catalog }),
            ...(settings.schema === undefined ? {} : { initialSchema: settings.schema })
          }),
        catch: (error) => toSourceError(error, doing, settings.secrets)
      }),
      (session) =>
        Effect.promise(() =>
          session.close().then(
            () => undefined,
            () => undefined
          )
        )
    )
  })

/** Runs one statement; the operation is closed with the scope. */
export const execute = (
  session: Session,
  sql: string,
  settings: DatabricksSettings,
  doing: string,
  pageSize: number
): Effect.Effect<Operation, SourceError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: () =>
        session.executeStatement(sql, {
          // The first page comes in the answer itself (direct results), no bigger than the others.
          maxRows: pageSize,
          ...(settings.queryTimeoutSeconds === undefined ? {} : { queryTimeout: settings.queryTimeoutSeconds })
        }),
      catch: (error) => toSourceError(error, doing, settings.secrets)
    }),
    (operation) =>
      Effect.promise(() =>
        operation.close().then(
          () => undefined,
          () => undefined
        )
      )
  )

/** The result's columns, once the statement has finished (a failed statement fails here, with its error class). */
export const schemaOf = (
  operation: Operation,
  settings: DatabricksSettings,
  doing: string
): Effect.Effect<ReadonlyArray<ThriftColumn>, SourceError> =>
  Effect.tryPromise({
    try: async () => {
      const schema = await operation.getSchema()
      if (schema === null) throw new Error("the statement returned no result set")
      return schema.columns as unknown as ReadonlyArray<ThriftColumn>
    },
    catch: (error) => toSourceError(error, doing, settings.secrets)
  })

/** The next page of rows (at most `size`); `done` once the warehouse has no more. */
export const fetchPage = (
  operation: Operation,
  size: number,
  settings: DatabricksSettings,
  doing: string,
  row: number
): Effect.Effect<{ rows: ReadonlyArray<Record<string, unknown>>; done: boolean }, SourceError> =>
  Effect.tryPromise({
    try: async () => {
      if (!(await operation.hasMoreRows())) return { rows: [], done: true }
      // disableBuffering: one FetchResults per call, so memory holds one page.
      const rows = (await operation.fetchChunk({ maxRows: size, disableBuffering: true })) as ReadonlyArray<Record<string, unknown>>
      return { rows, done: !(await operation.hasMoreRows()) }
    },
    catch: (error) => toSourceError(error, doing, settings.secrets, { row })
  })
