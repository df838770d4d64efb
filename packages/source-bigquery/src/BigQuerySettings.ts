import { readFile } from "node:fs/promises"
import { SourceError } from "@tablecast/core"
import * as Effect from "effect/Effect"
import type { BigQuerySourceOptions } from "./BigQuerySourceOptions.ts"

export type Environment = Readonly<Record<string, string | undefined>>

/** Google's OAuth 2.0 token endpoint: where a service account trades its signed JWT for an access token. */
export const GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"
const GOOGLE_API = "https://bigquery.googleapis.com"

/** A service account key, as the key file holds it. The private key never leaves this object. */
export interface ServiceAccountKey {
  readonly clientEmail: string
  readonly privateKey: string
  readonly privateKeyId: string | undefined
  readonly projectId: string | undefined
  /** Where the token exchange goes: Google's endpoint, or a loopback test server the key file names. */
  readonly tokenUrl: string
}

export interface BigQuerySettings {
  readonly key: ServiceAccountKey
  readonly projectId: string
  readonly location: string | undefined
  /** The API's base URL, `https://bigquery.googleapis.com` unless the options or BIGQUERY_EMULATOR_HOST name another. */
  readonly apiEndpoint: string
  /**
   * Where the client's requests go (its `baseUrl`): `${apiEndpoint}/bigquery/v2`, or for
   * BIGQUERY_EMULATOR_HOST the host itself, as the client treats that variable (an emulator serves
   * the API at its root).
   */
  readonly requestBase: string
  /** Text that must never appear in a message (the private key). */
  readonly secrets: ReadonlyArray<string>
  /** "BigQuery project my-project (EU)": for reports; no secret. */
  readonly description: string
}

const present = (value: string | undefined): string | undefined => (value === undefined || value.trim() === "" ? undefined : value.trim())

const isLoopbackUrl = (url: URL) => url.hostname === "127.0.0.1" || url.hostname === "localhost" || url.hostname === "[::1]"

const configError = (message: string) => new SourceError({ message: `BigQuery: ${message}`, code: "config" })

/** A URL the client may talk to: https anywhere, plain http on loopback only (a test server). */
const checkedUrl = (text: string, what: string): URL => {
  const url = new URL(text)
  if (url.protocol === "https:") return url
  if (url.protocol === "http:" && isLoopbackUrl(url)) return url
  throw configError(`${what} ${url.origin} must be https (plain http only on loopback, for a test server)`)
}

/**
 * The key file named by GOOGLE_APPLICATION_CREDENTIALS: a service account key (`type:
 * "service_account"`). Its `token_uri` is honoured when it is Google's endpoint or a loopback test
 * server; any other is refused (the signed assertion would go there).
 */
export const readServiceAccountKey = (env: Environment): Effect.Effect<ServiceAccountKey, SourceError> =>
  Effect.gen(function* () {
    const path = env.GOOGLE_APPLICATION_CREDENTIALS
    if (path === undefined || path === "") {
      return yield* configError(
        "no credentials: set GOOGLE_APPLICATION_CREDENTIALS to the path of a service account key file (JSON); tablecast reads credentials from the environment only"
      )
    }
    const text = yield* Effect.tryPromise({
      try: () => readFile(path, "utf8"),
      catch: (error) =>
        new SourceError({
          message: `BigQuery: cannot read the key file GOOGLE_APPLICATION_CREDENTIALS names (${path}): ${error instanceof Error ? error.message : String(error)}`,
          code: "auth"
        })
    })
    let json: Record<string, unknown>
    try {
      json = JSON.parse(text) as Record<string, unknown>
    } catch {
      return yield* new SourceError({ message: `BigQuery: the key file ${path} (GOOGLE_APPLICATION_CREDENTIALS) is not JSON`, code: "auth" })
    }
    if (json.type !== "service_account") {
      return yield* new SourceError({
        message: `BigQuery: the key file ${path} (GOOGLE_APPLICATION_CREDENTIALS) is of type ${JSON.stringify(json.type ?? null)}; tablecast takes a service account key ("service_account")`,
        code: "auth"
      })
    }
    const clientEmail = json.client_email
    const privateKey = json.private_key
    if (typeof clientEmail !== "string" || typeof privateKey !== "string" || !privateKey.includes("PRIVATE KEY")) {
      return yield* new SourceError({ message: `BigQuery: the key file ${path} lacks client_email or private_key`, code: "auth" })
    }
    const tokenUri = typeof json.token_uri === "string" ? json.token_uri : GOOGLE_TOKEN_URL
    if (tokenUri !== GOOGLE_TOKEN_URL) {
      const url = yield* Effect.try({
        try: () => new URL(tokenUri),
        catch: () => configError(`the key file's token_uri "${tokenUri}" is not a URL`)
      })
      if (!isLoopbackUrl(url)) {
        return yield* configError(
          `the key file's token_uri ${url.origin} is neither ${GOOGLE_TOKEN_URL} nor a loopback test server; refusing to send it a signed assertion`
        )
      }
    }
    return {
      clientEmail,
      privateKey,
      privateKeyId: typeof json.private_key_id === "string" ? json.private_key_id : undefined,
      projectId: typeof json.project_id === "string" ? json.project_id : undefined,
      tokenUrl: tokenUri
    }
  })

/** Credentials, project, location and endpoint, from the options and the environment; no network. */
export const resolveSettings = (options: BigQuerySourceOptions, env: Environment): Effect.Effect<BigQuerySettings, SourceError> =>
  Effect.gen(function* () {
    const key = yield* readServiceAccountKey(env)
    const projectId = options.projectId ?? key.projectId ?? env.GOOGLE_CLOUD_PROJECT
    if (projectId === undefined || projectId === "") {
      return yield* configError("no project: give projectId (--bigquery-project), or a key file with project_id, or GOOGLE_CLOUD_PROJECT")
    }
    // The client itself reads BIGQUERY_EMULATOR_HOST: read here too, so the same check applies to it
    // and the settings, not the process environment, decide where requests go.
    const emulator = options.apiEndpoint === undefined ? present(env.BIGQUERY_EMULATOR_HOST) : undefined
    const endpoint = yield* Effect.try({
      try: () =>
        emulator === undefined
          ? checkedUrl(options.apiEndpoint ?? GOOGLE_API, "the API endpoint (apiEndpoint, --bigquery-api-endpoint)")
          : checkedUrl(/^[a-z][a-z0-9+.-]*:\/\//i.test(emulator) ? emulator : `http://${emulator}`, "BIGQUERY_EMULATOR_HOST"),
      catch: (error) => (error instanceof SourceError ? error : configError(`the API endpoint is not a URL: ${String(error)}`))
    })
    const location = options.location
    const apiEndpoint = endpoint.origin + endpoint.pathname.replace(/\/$/, "")
    return {
      key,
      projectId,
      location,
      apiEndpoint,
      requestBase: emulator === undefined ? `${apiEndpoint}/bigquery/v2` : apiEndpoint,
      secrets: [key.privateKey, ...key.privateKey.split("\n").filter((line) => line.length >= 40)],
      description: `BigQuery project ${projectId}${location === undefined ? "" : ` (${location})`}${apiEndpoint === GOOGLE_API ? "" : ` at ${apiEndpoint}`}`
    }
  })
