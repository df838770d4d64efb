import { TransportError } from "@tablecast/core"

/** Codes (Node, undici) that mean no answer came in time. */
const timeoutCodes: ReadonlySet<string> = new Set(["ETIMEDOUT", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"])

/** TLS verification failures: retrying cannot fix a certificate, so these are not retried. */
const isCertificateCode = (code: string): boolean =>
  /^(CERT_|ERR_TLS_CERT|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|HOSTNAME_MISMATCH)/.test(code)

/** The error and its causes, outermost first (fetch wraps the socket error in `cause`). */
const chainOf = (error: unknown): Array<{ code?: string; name?: string; message: string }> => {
  const chain: Array<{ code?: string; name?: string; message: string }> = []
  let current: unknown = error
  for (let depth = 0; depth < 6 && current !== undefined && current !== null; depth++) {
    if (typeof current === "object") {
      const record = current as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown }
      chain.push({
        ...(typeof record.code === "string" ? { code: record.code } : {}),
        ...(typeof record.name === "string" ? { name: record.name } : {}),
        message: typeof record.message === "string" ? record.message : String(current)
      })
      current = record.cause
    } else {
      chain.push({ message: String(current) })
      current = undefined
    }
  }
  return chain
}

/**
 * The TransportError for a request that got no complete answer: refused or reset connections,
 * sockets closed mid-answer ("socket hang up", a truncated body), DNS failures, timeouts.
 * All are retryable (Segment dedups on messageId, so a batch that did arrive is harmless to
 * resend) except certificate failures. `timedOut` says the attempt's own deadline fired.
 */
export const classifyFailure = (error: unknown, context: { readonly timedOut: boolean; readonly timeoutMillis: number }): TransportError => {
  const chain = chainOf(error)
  const codes = chain.flatMap((link) => (link.code === undefined ? [] : [link.code]))
  if (context.timedOut || codes.some((code) => timeoutCodes.has(code))) {
    return new TransportError({
      kind: "timeout",
      retryable: true,
      message: `no complete answer within ${context.timeoutMillis} ms`
    })
  }
  // The innermost link says what happened on the socket; outer ones ("fetch failed") say less.
  const innermost = chain[chain.length - 1]
  const code = codes[codes.length - 1]
  const what = innermost === undefined ? "unknown failure" : innermost.message
  const certificate = code !== undefined && isCertificateCode(code)
  return new TransportError({
    kind: "network",
    retryable: !certificate,
    // The socket's own words; the pipeline says "network error" once when it reports it.
    message: `${code === undefined || what.includes(code) ? "" : `${code} `}${what}`.slice(0, 300)
  })
}
