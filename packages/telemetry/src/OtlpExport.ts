import * as FetchHttpClient from "effect/http/FetchHttpClient"
import type * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import type * as OtlpExporter from "effect/observability/OtlpExporter"
import * as OtlpMetrics from "effect/observability/OtlpMetrics"
import * as OtlpSerialization from "effect/observability/OtlpSerialization"
import * as OtlpTracer from "effect/observability/OtlpTracer"
import type { OtelSettings } from "./OtelSettings.ts"

/** How a process exports, beside the settings: a long-lived one keeps the defaults. */
export interface OtlpExportOptions {
  /**
   * `cumulative` (default) for a process that runs one sync; `delta` where each run exports its
   * own counts from a short-lived exporter (the edge: one per run request, in many isolates).
   */
  readonly temporality?: "cumulative" | "delta"
  /** More resource attributes, e.g. `cloud.platform` (over OTEL_RESOURCE_ATTRIBUTES'). */
  readonly resourceAttributes?: Readonly<Record<string, string>>
  /** The HTTP client the exports are posted with: `fetch` (Effect's FetchHttpClient) unless given. */
  readonly httpClient?: Layer.Layer<HttpClient.HttpClient>
}

/**
 * Effect's own OTLP exporters (effect/observability), posting over HTTP (fetch unless told otherwise): the tracer and
 * the metrics exporter for the signals that are on. Both flush when the layer's scope closes.
 */
export const otlpLayer = (settings: OtelSettings, serviceVersion: string, options: OtlpExportOptions = {}): Layer.Layer<OtlpExporter.Flusher> => {
  const resource = {
    serviceName: settings.serviceName,
    serviceVersion,
    attributes: { ...settings.resourceAttributes, ...options.resourceAttributes }
  }
  const common = { resource, headers: settings.headers }
  const signals: Array<Layer.Layer<OtlpExporter.Flusher, never, never>> = []
  const serialization = settings.protocol === "http/json" ? OtlpSerialization.layerJson : OtlpSerialization.layerProtobuf
  const needs = Layer.mergeAll(serialization, options.httpClient ?? FetchHttpClient.layer)
  if (settings.tracesUrl !== undefined) signals.push(OtlpTracer.layer({ ...common, url: settings.tracesUrl }).pipe(Layer.provide(needs)))
  if (settings.metricsUrl !== undefined) {
    const temporality = options.temporality ?? "cumulative"
    signals.push(OtlpMetrics.layer({ ...common, url: settings.metricsUrl, temporality }).pipe(Layer.provide(needs)))
  }
  const [first, ...rest] = signals
  if (first === undefined) throw new Error("otlpLayer: no signal is on (otelSettingsOf returns undefined then)")
  return Layer.mergeAll(first, ...rest)
}
