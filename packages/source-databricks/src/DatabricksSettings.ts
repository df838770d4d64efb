import { readFile } from "node:fs/promises"
import { bypassesProxy, SourceError } from "@tablecast/core"
import * as Effect from "effect/Effect"
import type { DatabricksSourceOptions } from "./DatabricksSourceOptions.ts"

/** The environment credentials and defaults are read from (process.env by default). */
export type Environment = Readonly<Record<string, string | undefined>>

/** How the driver authenticates: a personal access token, or a service principal's OAuth client credentials (M2M). */
export type Credentials =
  | { readonly _tag: "Token"; readonly token: string }
  | { readonly _tag: "OAuthM2M"; readonly clientId: string; readonly clientSecret: string }

/** A proxy as the driver takes it. */
export interface ProxySettings {
  readonly protocol: "http" | "https"
  readonly host: string
  readonly port: number
  readonly auth?: { readonly username: string; readonly password: string }
}

/** The `proxy` option, else HTTPS_PROXY / https_proxy unless NO_PROXY names the host (read as for the Segment endpoint). */
const proxyOf = (
  option: string | undefined,
  host: string,
  port: number,
  env: Environment
): Effect.Effect<ProxySettings | undefined, SourceError> => {
  const fromEnv = present(env.HTTPS_PROXY) ?? present(env.https_proxy)
  const text = option ?? (fromEnv !== undefined && !bypassesProxy(env.NO_PROXY ?? env.no_proxy, host, String(port)) ? fromEnv : undefined)
  if (text === undefined) return Effect.succeed(undefined)
  const what = option === undefined ? "HTTPS_PROXY" : "proxy"
  let url: URL
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`)
  } catch {
    return Effect.fail(configError(`${what} is not a URL such as http://proxy.example:3128`))
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return Effect.fail(configError(`${what} must be an http:// or https:// proxy (got ${url.protocol})`))
  }
  const protocol = url.protocol === "https:" ? "https" : "http"
  return Effect.succeed({
    protocol,
    host: url.hostname.replace(/^\[|\]$/g, ""),
    port: url.port === "" ? (protocol === "https" ? 443 : 80) : Number(url.port),
    ...(url.username === "" ? {} : { auth: { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) } })
  })
}

/** What connecting needs, resolved once from the options and the environment. */
export interface DatabricksSettings {
  readonly host: string
  readonly port: number
  readonly httpPath: string
  readonly catalog: string | undefined
  readonly schema: string | undefined
  readonly credentials: Credentials
  readonly caCert: string | undefined
  /** The proxy the driver connects through (the driver's `proxy` option), if any. */
  readonly proxy: ProxySettings | undefined
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

/**
 * The hostname, and the port when one is written after it (`host:8443`): `https://` and a trailing
 * `/` are allowed in DATABRICKS_HOST, as the Databricks CLI writes it.
 */
const hostnameOf = (host: string): Effect.Effect<{ readonly hostname: string; readonly port: number | undefined }, SourceError> => {
  const bare = host
    .trim()
    .replace(/^https:\/\//i, "")
    .replace(/\/+$/, "")
  const withPort = /^(.+?)(?::(\d{1,5}))?$/.exec(bare)
  const hostname = withPort?.[1] ?? ""
  const port = withPort?.[2] === undefined ? undefined : Number(withPort[2])
  if (hostname === "" || /[/\s:]|^[a-z]+:\/\//i.test(hostname) || (port !== undefined && (port < 1 || port > 65_535))) {
    return Effect.fail(
      configError(`host ${JSON.stringify(host)} is not a server hostname such as dbc-a1b2345c-d6e7.cloud.databricks.com (or host:port)`)
    )
  }
  return Effect.succeed({ hostname, port })
}

/** Resolves the connection from the options, then the DATABRICKS_* variables. */
export const resolveSettings = (options: DatabricksSourceOptions, env: Environment): Effect.Effect<DatabricksSettings, SourceError> =>
  Effect.gen(function* () {
    const hostText = options.host ?? present(env.DATABRICKS_HOST)
    if (hostText === undefined) return yield* configError("no host: give host or set DATABRICKS_HOST")
    const { hostname: host, port: hostPort } = yield* hostnameOf(hostText)
    if (hostPort !== undefined && options.port !== undefined && hostPort !== options.port) {
      return yield* configError(`the host names port ${hostPort} and port says ${options.port}: give one`)
    }
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
    const port = options.port ?? hostPort ?? 443
    const proxy = yield* proxyOf(options.proxy, host, port, env)
    return {
      host,
      port,
      httpPath: path,
      catalog: options.catalog ?? present(env.DATABRICKS_CATALOG),
      schema: options.schema ?? present(env.DATABRICKS_SCHEMA),
      credentials,
      caCert,
      proxy,
      queryTimeoutSeconds: options.queryTimeoutSeconds,
      secrets: [
        credentials._tag === "Token" ? credentials.token : credentials.clientSecret,
        ...(proxy?.auth === undefined || proxy.auth.password === "" ? [] : [proxy.auth.password])
      ],
      description: `Databricks ${host}${path}`
    }
  })
