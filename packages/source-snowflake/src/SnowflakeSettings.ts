import { SourceError } from "@tablecast/core"
import { scrubSecrets } from "@tablecast/source-sql"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type { SnowflakeConnectionOptions } from "./SnowflakeSourceOptions.ts"

/** Environment variables as `process.env` holds them. */
export type Environment = Readonly<Record<string, string | undefined>>

/** Where and how to connect, resolved; secrets stay `Redacted`. */
export interface SnowflakeSettings {
  readonly account: string
  readonly user: string
  readonly authenticator: "SNOWFLAKE" | "SNOWFLAKE_JWT"
  readonly password: Redacted.Redacted<string> | undefined
  readonly privateKeyPath: string | undefined
  readonly privateKeyPassphrase: Redacted.Redacted<string> | undefined
  readonly warehouse: string | undefined
  readonly database: string | undefined
  readonly schema: string | undefined
  readonly role: string | undefined
  readonly accessUrl: string | undefined
  readonly loginRetries: number | undefined
  readonly requestTimeoutMs: number | undefined
  /** `snowflake://USER@ACCOUNT/DATABASE/SCHEMA?warehouse=WH`, for messages: no secret. */
  readonly description: string
  /** The plain secrets, only to scrub them out of messages. */
  readonly secrets: ReadonlyArray<string>
}

const nonEmpty = (value: string | null | undefined): string | undefined =>
  value === undefined || value === null || value === "" ? undefined : value

interface UrlParts {
  readonly account?: string
  readonly user?: string
  readonly password?: string
  readonly database?: string
  readonly schema?: string
  readonly params: URLSearchParams
}

/** `snowflake://user:password@account/database/schema?warehouse=...` into its parts. */
const parseUrl = (text: string): UrlParts => {
  const url = new URL(text)
  if (url.protocol !== "snowflake:") throw new Error(`a Snowflake URL starts with snowflake://, not ${url.protocol}//`)
  const [database, schema] = url.pathname
    .split("/")
    .filter((part) => part !== "")
    .map(decodeURIComponent)
  const parts: { -readonly [K in keyof UrlParts]: UrlParts[K] } = { params: url.searchParams }
  const account = nonEmpty(decodeURIComponent(url.hostname))
  const user = nonEmpty(decodeURIComponent(url.username))
  const password = nonEmpty(decodeURIComponent(url.password))
  if (account !== undefined) parts.account = account
  if (user !== undefined) parts.user = user
  if (password !== undefined) parts.password = password
  if (database !== undefined) parts.database = database
  if (schema !== undefined) parts.schema = schema
  return parts
}

/** Resolves the connection: explicit options, then the URL, then SNOWFLAKE_* variables. */
export const resolveSettings = (options: SnowflakeConnectionOptions, env: Environment): Effect.Effect<SnowflakeSettings, SourceError> =>
  Effect.try({
    try: (): SnowflakeSettings => {
      const url = options.url === undefined ? undefined : parseUrl(Redacted.value(options.url))
      const param = (name: string) => nonEmpty(url?.params.get(name))
      const account = options.account ?? url?.account ?? nonEmpty(env.SNOWFLAKE_ACCOUNT)
      const user = options.user ?? url?.user ?? nonEmpty(env.SNOWFLAKE_USER)
      if (account === undefined) throw new Error("no account: give account, a snowflake:// URL or SNOWFLAKE_ACCOUNT")
      if (user === undefined) throw new Error("no user: give user, a snowflake:// URL or SNOWFLAKE_USER")
      const plainPassword = url?.password ?? nonEmpty(env.SNOWFLAKE_PASSWORD)
      const password = options.password ?? (plainPassword === undefined ? undefined : Redacted.make(plainPassword))
      const privateKeyPath = options.privateKeyPath ?? param("privateKeyPath") ?? nonEmpty(env.SNOWFLAKE_PRIVATE_KEY_PATH)
      const plainPassphrase = nonEmpty(env.SNOWFLAKE_PRIVATE_KEY_PASSPHRASE)
      const privateKeyPassphrase = options.privateKeyPassphrase ?? (plainPassphrase === undefined ? undefined : Redacted.make(plainPassphrase))
      const authenticatorText: string =
        options.authenticator ?? param("authenticator")?.toUpperCase() ?? (privateKeyPath !== undefined ? "SNOWFLAKE_JWT" : "SNOWFLAKE")
      if (authenticatorText !== "SNOWFLAKE" && authenticatorText !== "SNOWFLAKE_JWT") {
        throw new Error(`unsupported authenticator ${authenticatorText}: use SNOWFLAKE (password) or SNOWFLAKE_JWT (key pair)`)
      }
      if (authenticatorText === "SNOWFLAKE_JWT" && privateKeyPath === undefined) {
        throw new Error("SNOWFLAKE_JWT needs privateKeyPath (or SNOWFLAKE_PRIVATE_KEY_PATH)")
      }
      if (authenticatorText === "SNOWFLAKE" && password === undefined) {
        throw new Error("no password: give password, one in the URL, SNOWFLAKE_PASSWORD, or a private key for SNOWFLAKE_JWT")
      }
      const warehouse = options.warehouse ?? param("warehouse") ?? nonEmpty(env.SNOWFLAKE_WAREHOUSE)
      const database = options.database ?? url?.database ?? param("database") ?? nonEmpty(env.SNOWFLAKE_DATABASE)
      const schema = options.schema ?? url?.schema ?? param("schema") ?? nonEmpty(env.SNOWFLAKE_SCHEMA)
      const role = options.role ?? param("role") ?? nonEmpty(env.SNOWFLAKE_ROLE)
      const accessUrl = options.accessUrl ?? param("accessUrl") ?? nonEmpty(env.SNOWFLAKE_ACCESS_URL)
      const path = [database, schema]
        .filter((part) => part !== undefined)
        .map(encodeURIComponent)
        .join("/")
      const query = [
        warehouse === undefined ? undefined : `warehouse=${encodeURIComponent(warehouse)}`,
        role === undefined ? undefined : `role=${encodeURIComponent(role)}`
      ]
        .filter((part) => part !== undefined)
        .join("&")
      const secrets = [password, privateKeyPassphrase, options.url]
        .filter((secret) => secret !== undefined)
        .map((secret) => Redacted.value(secret))
      if (url?.password !== undefined) secrets.push(url.password)
      return {
        account,
        user,
        authenticator: authenticatorText,
        password: authenticatorText === "SNOWFLAKE" ? password : undefined,
        privateKeyPath,
        privateKeyPassphrase,
        warehouse,
        database,
        schema,
        role,
        accessUrl,
        loginRetries: options.loginRetries,
        requestTimeoutMs: options.requestTimeoutMs,
        description: `snowflake://${encodeURIComponent(user)}@${account}${path === "" ? "" : `/${path}`}${query === "" ? "" : `?${query}`}`,
        secrets
      }
    },
    catch: (error) =>
      new SourceError({
        message: scrubSecrets(
          `Snowflake: invalid connection settings: ${error instanceof Error ? error.message : String(error)}`,
          [options.url, options.password].filter((secret) => secret !== undefined).map((secret) => Redacted.value(secret))
        ),
        code: "config"
      })
  })
