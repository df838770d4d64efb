import { ProxyAgent, request } from "undici"
import type { HttpClient } from "./BatchPoster.ts"
import type { NodeHttpClient } from "./NodeHttpClient.ts"
import { type ProxyChoice, scrubProxySecrets } from "./ProxySettings.ts"

/**
 * Posts through an HTTP proxy with undici's ProxyAgent: through CONNECT tunnels to the endpoint
 * (TLS inside them for https, checked against the endpoint), `connections` at most. Loaded only when a proxy applies
 * (SegmentTransport.ts), since undici costs memory that a run without a proxy does not pay.
 * Credentials in the proxy's URL become its Proxy-Authorization header; every failure names the
 * proxy by scheme, host and port only.
 */
export const proxyHttpClient = (origin: string, path: string, connections: number, proxy: ProxyChoice): NodeHttpClient => {
  // A tunnel for http endpoints too (undici would forward absolute-form requests over connections
  // it does not bound): the pool keeps to `connections`, and what the proxy says of itself (a 403,
  // a 502) is never taken for the endpoint's answer.
  const agent = new ProxyAgent({ uri: proxy.url, connections, proxyTunnel: true })
  const target = new URL(path, origin)
  const client: HttpClient = async ({ headers, body, signal }) => {
    try {
      const answer = await request(target, { dispatcher: agent, method: "POST", headers, body, signal })
      const retryAfter = answer.headers["retry-after"]
      return {
        status: answer.statusCode,
        retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
        body: await answer.body.text()
      }
    } catch (error) {
      // The attempt's deadline or an interruption: the caller knows why, and says it.
      if (signal.aborted) throw error
      throw proxyFailure(error, proxy, target)
    }
  }
  return { client, close: () => void agent.destroy().catch(() => undefined) }
}

/** The innermost cause's code and message (undici wraps socket errors). */
const innermost = (error: unknown): { code: string | undefined; message: string } => {
  let current: unknown = error
  let found: { code: string | undefined; message: string } = { code: undefined, message: String(error) }
  for (let depth = 0; depth < 6 && typeof current === "object" && current !== null; depth++) {
    const record = current as { code?: unknown; message?: unknown; cause?: unknown }
    found = {
      code: typeof record.code === "string" ? record.code : found.code,
      message: typeof record.message === "string" ? record.message : found.message
    }
    current = record.cause
  }
  return found
}

/**
 * A failure on the way through the proxy, said in words that name the proxy (never its
 * credentials) and keep the socket's code, so that FailureClassification.ts classifies it as it
 * would without a proxy: a timeout is a timeout, a certificate a certificate, the rest network
 * errors, retried. A proxy that refuses the tunnel (407: credentials missing or wrong; 403: its
 * policy) is retried too: the rows stay undelivered, not refused, so that a re-run once the proxy
 * is fixed sends them.
 */
const proxyFailure = (error: unknown, proxy: ProxyChoice, target: URL): Error => {
  const { code, message } = innermost(error)
  // A CONNECT refused; undici words a 407 to a forwarded request (not used here) otherwise.
  const refused = /Proxy response \((\d{3})\)|Proxy Authentication Required \((407)\)/.exec(message)
  const status = refused === null ? undefined : (refused[1] ?? refused[2])
  const words =
    status !== undefined
      ? `the proxy ${proxy.display} refused the request to ${target.host} with HTTP ${status}${status === "407" ? " (Proxy Authentication Required: check the credentials in HTTPS_PROXY / HTTP_PROXY)" : ""}`
      : `through the proxy ${proxy.display}: ${message}`
  const failure = new Error(scrubProxySecrets(words, proxy))
  return status === undefined && code !== undefined ? Object.assign(failure, { code }) : failure
}
