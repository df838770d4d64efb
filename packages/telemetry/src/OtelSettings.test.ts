import { describe, expect, it } from "vitest"
import { OtelSettingsError, otelSettingsOf } from "./OtelSettings.ts"

const errorOf = (env: Record<string, string>): OtelSettingsError => {
  try {
    otelSettingsOf(env)
  } catch (error) {
    if (error instanceof OtelSettingsError) return error
    throw error
  }
  throw new Error("expected an OtelSettingsError")
}

describe("otelSettingsOf", () => {
  it("is off without an endpoint, with OTEL_SDK_DISABLED=true, or with both exporters none", () => {
    expect(otelSettingsOf({})).toBeUndefined()
    expect(otelSettingsOf({ OTEL_SERVICE_NAME: "x", OTEL_EXPORTER_OTLP_HEADERS: "a=b" })).toBeUndefined()
    expect(otelSettingsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318", OTEL_SDK_DISABLED: "TRUE" })).toBeUndefined()
    expect(
      otelSettingsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318", OTEL_TRACES_EXPORTER: "none", OTEL_METRICS_EXPORTER: "none" })
    ).toBeUndefined()
  })

  it("appends v1/<signal> to the base endpoint, uses a signal's own endpoint as given, and turns one signal off", () => {
    expect(otelSettingsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318/otlp" })).toEqual({
      tracesUrl: "http://127.0.0.1:4318/otlp/v1/traces",
      metricsUrl: "http://127.0.0.1:4318/otlp/v1/metrics",
      headers: {},
      serviceName: "tablecast",
      resourceAttributes: {},
      protocol: "http/protobuf"
    })
    const settings = otelSettingsOf({
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318/",
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://127.0.0.1:9000/traces",
      OTEL_METRICS_EXPORTER: "none",
      OTEL_SERVICE_NAME: "nightly",
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json"
    })
    expect(settings).toMatchObject({
      tracesUrl: "http://127.0.0.1:9000/traces",
      metricsUrl: undefined,
      serviceName: "nightly",
      protocol: "http/json"
    })
  })

  it("reads the headers as key=value pairs, values percent-decoded", () => {
    expect(
      otelSettingsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318", OTEL_EXPORTER_OTLP_HEADERS: "api-key=s3cr%3Dt, x-team = ops" })
        ?.headers
    ).toEqual({ "api-key": "s3cr=t", "x-team": "ops" })
  })

  it("reads OTEL_RESOURCE_ATTRIBUTES as key=value pairs", () => {
    const settings = otelSettingsOf({
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318",
      OTEL_RESOURCE_ATTRIBUTES: "deployment.environment=prod,service.namespace=data%20team"
    })
    expect(settings?.resourceAttributes).toEqual({ "deployment.environment": "prod", "service.namespace": "data team" })
    expect(errorOf({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318", OTEL_RESOURCE_ATTRIBUTES: "a=1,b" }).variable).toBe(
      "OTEL_RESOURCE_ATTRIBUTES"
    )
  })

  it("names the variable at fault, never its value", () => {
    const endpoint = "http://127.0.0.1:4318"
    const headers = errorOf({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_HEADERS: "ok=1,topsecretvalue" })
    expect(headers.variable).toBe("OTEL_EXPORTER_OTLP_HEADERS")
    expect(headers.message).toContain("entry 2")
    expect(headers.message).not.toContain("topsecretvalue")
    expect(errorOf({ OTEL_EXPORTER_OTLP_ENDPOINT: "not a url" }).variable).toBe("OTEL_EXPORTER_OTLP_ENDPOINT")
    expect(errorOf({ OTEL_EXPORTER_OTLP_ENDPOINT: "ftp://127.0.0.1" }).message).toContain("http://")
    expect(errorOf({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" }).variable).toBe("OTEL_EXPORTER_OTLP_PROTOCOL")
  })
})
