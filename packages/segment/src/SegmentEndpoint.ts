/** Segment's regional hosts for the HTTP Tracking API. */
export const regionHosts = {
  us: "https://api.segment.io",
  eu: "https://events.eu1.segmentapis.com"
} as const

export type SegmentRegion = keyof typeof regionHosts

/** Where batches are posted. */
export interface SegmentEndpoint {
  /** Scheme, host and port, e.g. `https://api.segment.io` (what a connection pool is keyed on). */
  readonly origin: string
  /** Path of the batch endpoint, e.g. `/v1/batch`. */
  readonly path: string
  /** `origin + path`, for reports: it never carries credentials. */
  readonly url: string
}

/**
 * Why a custom endpoint URL cannot be used, or undefined when it can. Credentials, queries and
 * fragments are refused: the write key travels only in the Authorization header, so an endpoint
 * string is always safe to print.
 */
export const endpointProblem = (text: string): string | undefined => {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return "the endpoint must be an absolute URL, e.g. https://api.segment.io or http://127.0.0.1:14318"
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "the endpoint must be an http:// or https:// URL"
  if (url.username !== "" || url.password !== "") {
    return "the endpoint must not hold credentials; the write key is sent in the Authorization header"
  }
  if (url.search !== "" || url.hash !== "") return "the endpoint must not have a query or a fragment"
  return undefined
}

/**
 * The batch endpoint of a region or of a custom URL. A custom URL names the receiver's base
 * (`https://host` or `https://host/prefix`), to which `/v1/batch` is added, or the batch endpoint
 * itself (a path ending in `/v1/batch`). The URL must have passed `endpointProblem`.
 */
export const resolveEndpoint = (where: { readonly region?: SegmentRegion; readonly endpoint?: string }): SegmentEndpoint => {
  const url = new URL(where.endpoint ?? regionHosts[where.region ?? "us"])
  const base = url.pathname.replace(/\/+$/, "")
  const path = base.endsWith("/v1/batch") ? base : `${base}/v1/batch`
  return { origin: url.origin, path, url: url.origin + path }
}
