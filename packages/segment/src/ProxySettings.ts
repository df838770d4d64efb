/**
 * Which proxy, if any, carries the requests to an endpoint: read from the environment as curl and
 * undici's EnvHttpProxyAgent read it. Pure (no undici here): the Node transport loads undici only
 * when this finds a proxy, so runs without one keep their memory.
 */

import { bypassesProxy } from "@tablecast/core"

/** The environment variables read; lower case wins over upper case, as in curl and undici. */
export type ProxyEnvironment = Readonly<Record<string, string | undefined>>

/** A proxy to use: its URL (possibly with credentials) and how to name it anywhere it may be printed. */
export interface ProxyChoice {
  /** The proxy's URL as given, credentials included: for the proxy agent only, never for output. */
  readonly url: string
  /** `http://host:port`, without credentials or path: safe for logs, errors and reports. */
  readonly display: string
  /** The proxy URL's user name and password (decoded), to scrub from any text that may echo them. */
  readonly secrets: ReadonlyArray<string>
}

const variable = (env: ProxyEnvironment, name: string): string | undefined => {
  const value = env[name.toLowerCase()] ?? env[name.toUpperCase()]
  return value === undefined || value.trim() === "" ? undefined : value.trim()
}

/** The proxy variable for a scheme: HTTPS_PROXY (then HTTP_PROXY) for https, HTTP_PROXY for http. */
const proxyVariable = (env: ProxyEnvironment, protocol: string): string | undefined =>
  protocol === "https:" ? (variable(env, "https_proxy") ?? variable(env, "http_proxy")) : variable(env, "http_proxy")

const defaultPort = (protocol: string): string => (protocol === "https:" ? "443" : "80")

/** The proxy's URL without credentials, path or query. */
export const proxyDisplay = (url: URL): string => `${url.protocol}//${url.host}`

/**
 * The proxy for requests to `endpoint` under `env`, or undefined when none applies (no variable,
 * or NO_PROXY exempts the endpoint's host). A variable that is not an http:// or https:// URL
 * (a bare `host:port` is taken as http://host:port) fails, naming the variable, never its value.
 */
export const proxyFor = (endpoint: string, env: ProxyEnvironment): ProxyChoice | undefined => {
  const target = new URL(endpoint)
  const given = proxyVariable(env, target.protocol)
  if (given === undefined) return undefined
  if (bypassesProxy(variable(env, "no_proxy"), target.hostname, target.port === "" ? defaultPort(target.protocol) : target.port)) return undefined
  let url: URL
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(given) ? given : `http://${given}`)
  } catch {
    throw new ProxySettingError(
      `${target.protocol === "https:" ? "HTTPS_PROXY" : "HTTP_PROXY"} is not a URL (expected e.g. http://proxy.example.com:3128)`
    )
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ProxySettingError(`the proxy must be an http:// or https:// URL, not ${url.protocol}//`)
  }
  const secrets = [url.username, url.password]
    .filter((part) => part !== "")
    .flatMap((part) => {
      const decoded = safeDecode(part)
      return decoded === part ? [part] : [part, decoded]
    })
  return { url: url.href, display: proxyDisplay(url), secrets }
}

const safeDecode = (text: string): string => {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/** A proxy variable that cannot be used; the message never holds the variable's value. */
export class ProxySettingError extends Error {
  override readonly name = "ProxySettingError"
}

/** Removes a proxy's credentials from a text that may echo them (an error message). */
export const scrubProxySecrets = (text: string, proxy: ProxyChoice): string =>
  proxy.secrets.reduce((scrubbed, secret) => (secret.length < 2 ? scrubbed : scrubbed.split(secret).join("[redacted]")), text)
