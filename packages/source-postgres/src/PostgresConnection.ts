import { readFileSync } from "node:fs"
import type { ConnectionOptions as TlsOptions } from "node:tls"
import { SourceError } from "@tablecast/core"
import { scrubSecrets } from "@tablecast/source-sql"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import pg from "pg"
import { parse as parseConnectionString } from "pg-connection-string"
import { toSourceError } from "./PostgresError.ts"
import { redshiftRefusal, serverOf, sessionSettings } from "./PostgresServer.ts"
import type { PostgresConnectionOptions, SslMode } from "./PostgresSourceOptions.ts"

/** Where to connect, resolved from the options, the URL and the environment. Holds no plain password. */
export interface PostgresConnection {
  readonly host: string
  readonly port: number
  readonly user: string
  readonly database: string
  readonly password: Redacted.Redacted<string> | undefined
  readonly sslmode: SslMode
  readonly sslRootCert: string | undefined
  readonly statementTimeoutMs: number | undefined
  readonly connectTimeoutMs: number
  /** `postgres://user@host:port/database`, for messages: no password. */
  readonly description: string
}

/** Environment variables as `process.env` holds them. */
export type Environment = Readonly<Record<string, string | undefined>>

const nonEmpty = (value: string | null | undefined): string | undefined =>
  value === undefined || value === null || value === "" ? undefined : value

/** The plain secrets of a connection, for scrubbing messages (never for printing). */
export const connectionSecrets = (connection: PostgresConnection, options?: PostgresConnectionOptions): Array<string> => {
  const secrets: Array<string> = []
  if (connection.password !== undefined) secrets.push(Redacted.value(connection.password))
  if (options?.url !== undefined) secrets.push(Redacted.value(options.url))
  return secrets
}

/**
 * Resolves where to connect: explicit options, then the URL, then PG* variables, then libpq's
 * defaults (localhost:5432, the OS user, a database named like the user).
 */
export const resolveConnection = (options: PostgresConnectionOptions, env: Environment): Effect.Effect<PostgresConnection, SourceError> =>
  Effect.try({
    try: () => {
      const url = options.url === undefined ? undefined : parseConnectionString(Redacted.value(options.url), { useLibpqCompat: true })
      const fromUrl = (key: string): string | undefined => {
        const value = url?.[key]
        return typeof value === "string" ? nonEmpty(value) : undefined
      }
      const host = options.host ?? fromUrl("host") ?? nonEmpty(env.PGHOST) ?? "localhost"
      const portText = options.port?.toString() ?? fromUrl("port") ?? nonEmpty(env.PGPORT) ?? "5432"
      const port = Number(portText)
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`invalid port ${JSON.stringify(portText)}`)
      const user = options.user ?? fromUrl("user") ?? nonEmpty(env.PGUSER) ?? nonEmpty(env.USER) ?? "postgres"
      const database = options.database ?? fromUrl("database") ?? nonEmpty(env.PGDATABASE) ?? user
      const plainPassword = fromUrl("password") ?? nonEmpty(env.PGPASSWORD)
      const password = options.password ?? (plainPassword === undefined ? undefined : Redacted.make(plainPassword))
      const sslmodeText = options.sslmode ?? fromUrl("sslmode") ?? nonEmpty(env.PGSSLMODE) ?? "prefer"
      const sslmodes: ReadonlyArray<string> = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]
      if (!sslmodes.includes(sslmodeText)) throw new Error(`unknown sslmode ${JSON.stringify(sslmodeText)}`)
      const connectTimeoutSeconds = Number(nonEmpty(env.PGCONNECT_TIMEOUT) ?? "")
      return {
        host,
        port,
        user,
        database,
        password,
        sslmode: sslmodeText as SslMode,
        sslRootCert: options.sslRootCert ?? fromUrl("sslrootcert") ?? nonEmpty(env.PGSSLROOTCERT),
        statementTimeoutMs: options.statementTimeoutMs,
        connectTimeoutMs:
          Number.isFinite(connectTimeoutSeconds) && connectTimeoutSeconds > 0 && options.connectTimeoutMs === 10_000
            ? connectTimeoutSeconds * 1000
            : options.connectTimeoutMs,
        description: `postgres://${encodeURIComponent(user)}@${host.includes(":") ? `[${host}]` : host}:${port}/${encodeURIComponent(database)}`
      }
    },
    catch: (error) =>
      new SourceError({
        message: scrubSecrets(
          `Postgres: invalid connection settings: ${error instanceof Error ? error.message : String(error)}`,
          options.url === undefined ? [] : [Redacted.value(options.url)]
        ),
        code: "config"
      })
  })

/** Every value arrives as the server's text; `ValueConverter` decides what it becomes. */
export const RAW_TEXT_TYPES: pg.CustomTypesConfig = {
  getTypeParser: (() => (value: string) => value) as unknown as pg.CustomTypesConfig["getTypeParser"]
}

const tlsOptions = (connection: PostgresConnection): TlsOptions | false => {
  const ca = connection.sslRootCert === undefined ? undefined : readFileSync(connection.sslRootCert, "utf8")
  switch (connection.sslmode) {
    case "disable":
      return false
    case "allow":
    case "prefer":
      return { rejectUnauthorized: false }
    case "require":
      // libpq: with a root certificate file, require behaves as verify-ca.
      return ca === undefined ? { rejectUnauthorized: false } : { rejectUnauthorized: true, ca, checkServerIdentity: () => undefined }
    case "verify-ca":
      return { rejectUnauthorized: true, ...(ca === undefined ? {} : { ca }), checkServerIdentity: () => undefined }
    case "verify-full":
      return { rejectUnauthorized: true, ...(ca === undefined ? {} : { ca }) }
  }
}

const NO_SERVER_TLS = "The server does not support SSL connections"

const tryConnect = (connection: PostgresConnection, ssl: TlsOptions | false) =>
  Effect.tryPromise({
    try: async () => {
      const client = new pg.Client({
        host: connection.host,
        port: connection.port,
        user: connection.user,
        database: connection.database,
        ...(connection.password === undefined ? {} : { password: Redacted.value(connection.password) }),
        ssl,
        application_name: "tablecast",
        connectionTimeoutMillis: connection.connectTimeoutMs,
        ...(connection.statementTimeoutMs === undefined ? {} : { statement_timeout: connection.statementTimeoutMs }),
        types: RAW_TEXT_TYPES
      })
      // A dropped connection is reported by the query that was running; this keeps a late
      // socket error from becoming an uncaught exception.
      client.on("error", () => {})
      try {
        await client.connect()
      } catch (error) {
        await client.end().catch(() => {})
        throw error
      }
      return client
    },
    catch: (error) => error
  })

/**
 * A connected client for the scope's lifetime, with the session settings applied; ended when the
 * scope closes (which also drops any open cursor on the server).
 */
export const connect = (
  connection: PostgresConnection,
  secrets: ReadonlyArray<string>,
  options: { readonly readOnly: boolean }
): Effect.Effect<pg.Client, SourceError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.gen(function* () {
      const ssl = yield* Effect.try({
        try: () => tlsOptions(connection),
        catch: (error) => toSourceError(error, `reading sslrootcert ${connection.sslRootCert ?? ""}`, secrets)
      })
      const fallback = connection.sslmode === "prefer" || connection.sslmode === "allow"
      const client = yield* tryConnect(connection, ssl).pipe(
        Effect.catch((error) =>
          fallback && error instanceof Error && error.message.includes(NO_SERVER_TLS) ? tryConnect(connection, false) : Effect.fail(error)
        ),
        Effect.mapError((error) => toSourceError(error, `connecting to ${connection.description}`, secrets))
      )
      yield* Effect.tryPromise({
        try: async () => {
          // Redshift answers the same protocol but not the SQL below: ask which server this is first.
          const version = await client.query<{ version: string }>("SELECT version() AS version")
          const refusal = redshiftRefusal(serverOf(String(version.rows[0]?.version ?? "")), connection.description)
          if (refusal !== undefined) throw refusal
          await client.query(sessionSettings(options.readOnly))
          // Everything the session runs (the user's one statement included) runs inside this
          // read-only transaction: a single SELECT cannot end it (COMMIT is a statement of its
          // own, refused) nor make it read-write (transaction_read_only is fixed once it has
          // read). The transaction ends with the connection.
          if (options.readOnly) await client.query("BEGIN TRANSACTION READ ONLY")
        },
        catch: (error) => toSourceError(error, `setting up the session on ${connection.description}`, secrets)
      }).pipe(Effect.onError(() => Effect.promise(() => client.end().catch(() => {}))))
      return client
    }),
    (client) => Effect.promise(() => client.end().catch(() => {}))
  )

/**
 * A query config sent through the extended query protocol (Parse, Bind, Execute) even without
 * parameters: the server then refuses text holding more than one statement ("cannot insert
 * multiple commands into a prepared statement", SQLSTATE 42601). `pg` sends a query without
 * parameters as a simple Query message, which runs every statement in the text.
 */
export const oneStatement = (text: string, values: ReadonlyArray<unknown>): pg.QueryArrayConfig<Array<unknown>> => {
  // `queryMode` is in pg (8.12+) but not in @types/pg.
  const config: pg.QueryArrayConfig<Array<unknown>> & { readonly queryMode: "extended" } = {
    text,
    values: [...values],
    rowMode: "array",
    types: RAW_TEXT_TYPES,
    queryMode: "extended"
  }
  return config
}

/**
 * Runs exactly one statement with parameters on a client (the server refuses a second one, see
 * `oneStatement`), mapping a failure to a `SourceError`.
 */
export const runQuery = <Row extends ReadonlyArray<unknown> = ReadonlyArray<unknown>>(
  client: pg.Client,
  text: string,
  values: ReadonlyArray<unknown>,
  doing: string,
  secrets: ReadonlyArray<string>
): Effect.Effect<pg.QueryResult<Row & Array<unknown>>, SourceError> =>
  Effect.tryPromise({
    try: () => client.query(oneStatement(text, values)) as unknown as Promise<pg.QueryResult<Row & Array<unknown>>>,
    catch: (error) => toSourceError(error, doing, secrets)
  })
