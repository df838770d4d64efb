/**
 * Where and how to export telemetry, read from the standard OpenTelemetry variables
 * (https://opentelemetry.io/docs/specs/otel/protocol/exporter/). Kept apart from the exporter so
 * that a run without them reads a few variables and loads nothing else.
 */
export interface OtelSettings {
  /** Full URL traces are posted to (`.../v1/traces`), or undefined when traces are off. */
  readonly tracesUrl: string | undefined
  /** Full URL metrics are posted to (`.../v1/metrics`), or undefined when metrics are off. */
  readonly metricsUrl: string | undefined
  /** Headers sent with every export (often an API key): secret, never printed. */
  readonly headers: Readonly<Record<string, string>>
  readonly serviceName: string
  /** Resource attributes of OTEL_RESOURCE_ATTRIBUTES (`key=value,...`), beside service.name and service.version. */
  readonly resourceAttributes: Readonly<Record<string, string>>
  readonly protocol: "http/protobuf" | "http/json"
}

/** A variable set to something tablecast cannot use; names the variable, never its value (it may hold a key). */
export class OtelSettingsError extends Error {
  readonly _tag = "OtelSettingsError"
  constructor(
    readonly variable: string,
    readonly reason: string
  ) {
    super(`${variable}: ${reason}`)
    this.name = "OtelSettingsError"
  }
}

type Env = Readonly<Record<string, string | undefined>>

const set = (env: Env, name: string): string | undefined => {
  const value = env[name]?.trim()
  return value === undefined || value === "" ? undefined : value
}

const checkedUrl = (name: string, value: string): string => {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new OtelSettingsError(name, "not a URL (expected e.g. http://127.0.0.1:4318)")
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new OtelSettingsError(name, "must be an http:// or https:// URL")
  return url.toString()
}

/** The URL of one signal: its own variable as given, else the base endpoint with `v1/<signal>` appended (as the spec says). */
const signalUrl = (env: Env, signal: "TRACES" | "METRICS"): string | undefined => {
  const exporter = set(env, `OTEL_${signal}_EXPORTER`)?.toLowerCase()
  if (exporter !== undefined && !exporter.split(",").some((name) => name.trim() === "otlp")) return undefined
  const own = set(env, `OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`)
  if (own !== undefined) return checkedUrl(`OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`, own)
  const base = set(env, "OTEL_EXPORTER_OTLP_ENDPOINT")
  if (base === undefined) return undefined
  const url = new URL(checkedUrl("OTEL_EXPORTER_OTLP_ENDPOINT", base))
  url.pathname = `${url.pathname.endsWith("/") ? url.pathname : `${url.pathname}/`}v1/${signal.toLowerCase()}`
  return url.toString()
}

/** `key1=value1,key2=value2`, values percent-encoded (W3C Baggage style, as the spec says). */
const keyValuesOf = (env: Env, name: string): Record<string, string> => {
  const text = set(env, name)
  const headers: Record<string, string> = {}
  if (text === undefined) return headers
  for (const [index, pair] of text.split(",").entries()) {
    const at = pair.indexOf("=")
    const key = at < 0 ? "" : pair.slice(0, at).trim()
    if (key === "") throw new OtelSettingsError(name, `entry ${index + 1} is not key=value`)
    try {
      headers[key] = decodeURIComponent(pair.slice(at + 1).trim())
    } catch {
      throw new OtelSettingsError(name, `the value of entry ${index + 1} (${key}) is not valid percent-encoding`)
    }
  }
  return headers
}

const protocolOf = (env: Env): OtelSettings["protocol"] => {
  const protocol = set(env, "OTEL_EXPORTER_OTLP_PROTOCOL") ?? "http/protobuf"
  if (protocol === "http/protobuf" || protocol === "http/json") return protocol
  throw new OtelSettingsError("OTEL_EXPORTER_OTLP_PROTOCOL", `"${protocol}" is not supported: use http/protobuf (default) or http/json`)
}

/**
 * The export settings, or undefined when nothing is to be exported: no endpoint set, both signals'
 * exporters `none`, or `OTEL_SDK_DISABLED=true`. Throws OtelSettingsError on a variable it cannot use.
 */
export const otelSettingsOf = (env: Env): OtelSettings | undefined => {
  if (set(env, "OTEL_SDK_DISABLED")?.toLowerCase() === "true") return undefined
  const tracesUrl = signalUrl(env, "TRACES")
  const metricsUrl = signalUrl(env, "METRICS")
  if (tracesUrl === undefined && metricsUrl === undefined) return undefined
  return {
    tracesUrl,
    metricsUrl,
    headers: keyValuesOf(env, "OTEL_EXPORTER_OTLP_HEADERS"),
    serviceName: set(env, "OTEL_SERVICE_NAME") ?? "tablecast",
    resourceAttributes: keyValuesOf(env, "OTEL_RESOURCE_ATTRIBUTES"),
    protocol: protocolOf(env)
  }
}
