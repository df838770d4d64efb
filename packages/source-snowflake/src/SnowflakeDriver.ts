import { SourceError } from "@tablecast/core"
import { scrubSecrets } from "@tablecast/source-sql"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type * as Snowflake from "snowflake-sdk"
import { toSourceError } from "./SnowflakeError.ts"
import type { SnowflakeSettings } from "./SnowflakeSettings.ts"

type Driver = typeof Snowflake

/**
 * The switches that keep the driver from reaching anything but the Snowflake account it is
 * given. They are read when its modules load, so they are set before the first import:
 * - SNOWFLAKE_DISABLE_PLATFORM_DETECTION: otherwise, on import, it probes cloud metadata
 *   services (169.254.169.254, metadata.google.internal) and AWS STS to describe the platform;
 * - SF_TELEMETRY_DISABLE_CONNECTION_SHAPE: otherwise it posts a telemetry event after login;
 * - SNOWFLAKE_DISABLE_MINICORE: otherwise it loads a native helper and, if that fails, posts
 *   the failure as telemetry.
 */
export const DRIVER_ENVIRONMENT = {
  SNOWFLAKE_DISABLE_PLATFORM_DETECTION: "true",
  SF_TELEMETRY_DISABLE_CONNECTION_SHAPE: "1",
  SNOWFLAKE_DISABLE_MINICORE: "true"
} as const

let driver: Promise<Driver> | undefined

const silent = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {}, trace: () => {} }

/**
 * The official driver, imported only after the switches above are set. Its own log (a
 * `snowflake.log` file in the working directory, by default) is turned off: tablecast reports
 * errors itself, scrubbed of secrets.
 */
export const loadDriver = (): Promise<Driver> => {
  Object.assign(process.env, DRIVER_ENVIRONMENT)
  driver ??= import("snowflake-sdk").then((module) => {
    const sdk = ((module as unknown as { default?: Driver }).default ?? module) as Driver
    sdk.configure({ logLevel: "OFF", customLogger: silent })
    return sdk
  })
  return driver
}

/** A logged-in driver connection for the scope's lifetime; the session is closed with the scope. */
export const connect = (settings: SnowflakeSettings): Effect.Effect<Snowflake.Connection, SourceError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        const sdk = await loadDriver()
        const jwt = settings.authenticator === "SNOWFLAKE_JWT"
        const options: Snowflake.ConnectionOptions = {
          account: settings.account,
          username: settings.user,
          application: "tablecast",
          ...(jwt
            ? {
                authenticator: "SNOWFLAKE_JWT",
                privateKeyPath: settings.privateKeyPath!,
                ...(settings.privateKeyPassphrase === undefined ? {} : { privateKeyPass: Redacted.value(settings.privateKeyPassphrase) })
              }
            : { password: settings.password === undefined ? "" : Redacted.value(settings.password) }),
          ...(settings.warehouse === undefined ? {} : { warehouse: settings.warehouse }),
          ...(settings.database === undefined ? {} : { database: settings.database }),
          ...(settings.schema === undefined ? {} : { schema: settings.schema }),
          ...(settings.role === undefined ? {} : { role: settings.role }),
          ...(settings.accessUrl === undefined ? {} : { accessUrl: settings.accessUrl }),
          ...(settings.loginRetries === undefined ? {} : { sfRetryMaxLoginRetries: settings.loginRetries }),
          ...(settings.requestTimeoutMs === undefined ? {} : { timeout: settings.requestTimeoutMs }),
          // No heartbeat requests: a sync holds its session only while it reads.
          clientSessionKeepAlive: false,
          // Otherwise a NULL fetched as a string arrives as the text "NULL".
          representNullAsStringNull: false,
          // Integers are then parsed as big integers, not Numbers, so the driver neither rounds them
          // nor posts a "selecting_with_precision_loss" telemetry event to the account; tablecast
          // takes their exact text either way.
          jsTreatIntegerAsBigInt: true,
          // Rows the driver's stream buffers ahead of the reader (its default is 10); its chunk
          // downloads are bounded separately (resultPrefetch, 2 by default).
          rowStreamHighWaterMark: 1000
        }
        const connection = sdk.createConnection(options)
        // connect() hands every login failure to its callback (connectAsync throws only some).
        await new Promise<void>((resolve, reject) => {
          connection.connect((error) => (error ? reject(error) : resolve()))
        })
        return connection
      },
      catch: (error) => toSourceError(error, `connecting to ${settings.description}`, settings.secrets)
    }),
    (connection) =>
      Effect.callback<void>((resume) => {
        // POST /session?delete=true; a failure to close is not worth failing the run for.
        connection.destroy(() => resume(Effect.void))
      })
  )

/** Values that the source converts itself from the driver's raw text. */
export const FETCH_AS_STRING = ["Number", "JSON"] as unknown as Array<Snowflake.DataType>

/**
 * Runs exactly one statement (the server refuses several: MULTI_STATEMENT_COUNT is 1); succeeds
 * once its result is available (after any "in progress" polling).
 */
export const execute = (
  connection: Snowflake.Connection,
  sqlText: string,
  settings: SnowflakeSettings,
  options: { readonly binds?: Array<string>; readonly describeOnly?: boolean; readonly doing: string }
): Effect.Effect<Snowflake.RowStatement, SourceError> =>
  Effect.callback<Snowflake.RowStatement, SourceError>((resume) => {
    try {
      connection.execute({
        sqlText,
        streamResult: true,
        rowMode: "array" as Snowflake.RowMode,
        fetchAsString: FETCH_AS_STRING,
        ...(options.binds === undefined ? {} : { binds: options.binds }),
        ...(options.describeOnly === true ? { describeOnly: true } : {}),
        // Valid JSON for VARIANT values even where Snowflake would write NaN or undefined, and
        // TIME values (which the driver hands over as formatted text) with all their digits.
        // MULTI_STATEMENT_COUNT 1: the server refuses a request holding more than one statement
        // (error 000008), whatever the account's or the session's default says.
        parameters: { STRICT_JSON_OUTPUT: true, TIME_OUTPUT_FORMAT: "HH24:MI:SS.FF9", MULTI_STATEMENT_COUNT: 1 },
        complete: (error, statement) => {
          if (error) resume(Effect.fail(toSourceError(error, options.doing, settings.secrets)))
          else resume(Effect.succeed(statement as Snowflake.RowStatement))
        }
      })
    } catch (error) {
      resume(Effect.fail(toSourceError(error, options.doing, settings.secrets)))
    }
  })

/** Runs a small metadata query and collects its rows (arrays of raw values). */
export const queryRows = (
  connection: Snowflake.Connection,
  sqlText: string,
  binds: Array<string>,
  settings: SnowflakeSettings,
  doing: string
): Effect.Effect<Array<Array<unknown>>, SourceError> =>
  Effect.flatMap(execute(connection, sqlText, settings, { binds, doing }), (statement) =>
    Effect.tryPromise({
      try: async () => {
        const rows: Array<Array<unknown>> = []
        for await (const row of statement.streamRows()) rows.push(row as Array<unknown>)
        return rows
      },
      catch: (error) => toSourceError(error, doing, settings.secrets)
    })
  )

export { scrubSecrets, SourceError }
