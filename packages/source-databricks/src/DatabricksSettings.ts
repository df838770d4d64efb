import { readFile } from "node:fs/promises"
import { SourceError } from "@tablecast/core"
import * as Effect from "effect/Effect"
import type { DatabricksSourceOptions } from "./DatabricksSourceOptions.ts"

/** The environment credentials and defaults are read from (process.env by default). */
export type Environment = Readonly<Record<string, string | undefined>>

/** How the driver authenticates: a personal access token, or a service principal's OAuth client credentials (M2M). */
export type Credentials =
  | { readonly _tag: "Token"; readonly token: string }
  | { readonly _tag: "OAuthM2M"; readonly clientId: string; readonly clientSecret: string }

/** What connecting needs, resolved once from the options and the environment. */
export interface DatabricksSettings {
  readonly host: string
  readonly port: number
  readonly httpPath: string
  readonly catalog: string | undefined
  readonly schema: string | undefined
  readonly credentials: Credentials
  readonly caCert: string | undefined
  readonly queryTimeoutSeconds: number | undefined
  /** Texts never to show: the token or client secret. */
  readonly secrets: ReadonlyArray<string>
  /** `Databricks <host><path>`, for messages. */
  readonly description: string
}

const configError = (message: string) => new SourceError({ message: `Databricks: ${message}`, code: "config" })

const present = (value: string | undefined): string | undefined => (value === undefined || value.trim() === "" ? undefined : value.trim())

/** DATABRICKS_TOKEN, else DATABRICKS_CLIENT_ID with DATABRICKS_CLIENT_SECRET; never both kinds, never half of one. */
const credentialsOf = (env: Environment): Effect.Effect<Credentials, SourceError> => {
  const token = present(env.DATABRICKS_TOKEN)
  const clientId = present(env.DATABRICKS_CLIENT_ID)
  const clientSecret = present(env.DATABRICKS_CLIENT_SECRET)
  if (token !== undefined && (clientId !== undefined || clientSecret !== undefined)) {
    return Effect.fail(configError("both DATABRICKS_TOKEN and DATABRICKS_CLIENT_ID/DATABRICKS_CLIENT_SECRET are set; keep one way to sign in"))
  }
  if (token !== undefined) return Effect.succeed({ _tag: "Token", token })
  if (clientId !== undefined && clientSecret !== undefined) return Effect.succeed({ _tag: "OAuthM2M", clientId, clientSecret })
  if (clientId !== undefined || clientSecret !== undefined) {
    return Effect.fail(
      configError(`${clientId === undefined ? "DATABRICKS_CLIENT_ID" : "DATABRICKS_CLIENT_SECRET"} is not set; OAuth M2M needs both`)
    )
  }
  return Effect.fail(
    configError("no credentials: set DATABRICKS_TOKEN (a personal access token) or DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET (OAuth M2M)")
  )
}

/** The hostname alone: `https://` and a trailing `/` are allowed in DATABRICKS_HOST, as the Databricks CLI writes it. */
const hostnameOf = (host: string): Effect.Effect<string, SourceError> => {
  const bare = host
    .trim()
    .replace(/^https:\/\//i, "")
    .replace(/\/+$/, "")
  if (bare === "" || /[/\s]|^[a-z]+:\/\//i.test(bare)) {
    return Effect.fail(configError(`host ${JSON.stringify(host)} is not a server hostname such as dbc-a1b2345c-d6e7.cloud.databricks.com`))
  }
  return Effect.succeed(bare)
}

/** Resolves the connection from the options, then the DATABRICKS_* variables. */
export const resolveSettings = (options: DatabricksSourceOptions, env: Environment): Effect.Effect<DatabricksSettings, SourceError> =>
  Effect.gen(function* () {
    const hostText = options.host ?? present(env.DATABRICKS_HOST)
    if (hostText === undefined) return yield* configError("no host: give host or set DATABRICKS_HOST")
    const host = yield* hostnameOf(hostText)
    const httpPath = options.httpPath ?? present(env.DATABRICKS_HTTP_PATH)
    if (httpPath === undefined)
      return yield* configError("no HTTP path: give httpPath or set DATABRICKS_HTTP_PATH (the SQL warehouse's connection details)")
    const credentials = yield* credentialsOf(env)
    const caCertPath = options.caCertPath
    const caCert =
      caCertPath === undefined
        ? undefined
        : yield* Effect.tryPromise({
            try: () => readFile(caCertPath, "utf8"),
            catch: (error) =>
              new SourceError({
                message: `Databricks: cannot read caCertPath ${caCertPath}: ${error instanceof Error ? error.message : String(error)}`,
                code: "config"
              })
          })
    const path = httpPath.startsWith("/") ? httpPath : `/${httpPath}`
    return {
      host,
      port: options.port ?? 443,
      httpPath: path,
      catalog: options.catalog ?? present(env.DATABRICKS_CATALOG),
      schema: options.schema ?? present(env.DATABRICKS_SCHEMA),
      credentials,
      caCert,
      queryTimeoutSeconds: options.queryTimeoutSeconds,
      secrets: credentials._tag === "Token" ? [credentials.token] : [credentials.clientSecret],
      description: `Databricks ${host}${path}`
    }
  })
