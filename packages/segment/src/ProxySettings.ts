/**
 * Which proxy, if any, carries the requests to an endpoint: read from the environment as curl and
 * undici's EnvHttpProxyAgent read it. Pure (no undici here): the Node transport loads undici only
 * when this finds a proxy, so runs without one keep their memory.
 */

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

/**
 * Whether NO_PROXY exempts a host: entries separated by commas or spaces; `*` exempts every host;
 * `example.com`, `.example.com` and `*.example.com` each exempt example.com and its subdomains;
 * `host:port` only that port; IP addresses as written (`127.0.0.1`, `::1` or `[::1]`; no CIDR
 * ranges). Loopback is not exempt by itself: name it (`localhost,127.0.0.1,::1`) to reach a local
 * receiver directly while a proxy is set.
 */
export const bypassesProxy = (noProxy: string | undefined, hostname: string, port: string): boolean => {
  if (noProxy === undefined) return false
  const host = hostname.replace(/^\[(.*)\]$/, "$1").toLowerCase()
  for (const raw of noProxy.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase()
    if (entry === "") continue
    if (entry === "*") return true
    const { name, entryPort } = splitEntry(entry)
    if (entryPort !== undefined && entryPort !== port) continue
    const suffix = name.replace(/^\*?\./, "")
    if (suffix === "") continue
    if (host === suffix || host.endsWith(`.${suffix}`)) return true
  }
  return false
}

/** `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 address (which has colons but no port). */
const splitEntry = (entry: string): { name: string; entryPort: string | undefined } => {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry)
  if (bracketed !== null) return { name: bracketed[1]!, entryPort: bracketed[2] }
  const hostPort = /^([^:]+):(\d+)$/.exec(entry)
  if (hostPort !== null) return { name: hostPort[1]!, entryPort: hostPort[2] }
  return { name: entry, entryPort: undefined }
}

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
