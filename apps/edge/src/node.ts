import { serve } from "@hono/node-server"
import { resolveEndpoint, SegmentTransport } from "@tablecast/segment"
import type { AddressInfo } from "node:net"
import { createApp } from "./App.ts"
import { EdgeConfig, EdgeConfigError, type EdgeVars } from "./EdgeConfig.ts"
import type { EdgePlatform } from "./EdgePlatform.ts"
import { makeEdgeMetrics } from "./telemetry/EdgeMetrics.ts"
import { type EdgeOtelVars, edgeOtelSettings } from "./telemetry/EdgeTelemetry.ts"

/**
 * The Node platform, for self-hosting: the Node transport (node:http), no queue (runs over the synchronous
 * budget get 413: raise SYNC_MAX_ROWS / SYNC_MAX_CELLS, or split), no rate limiter beyond
 * MAX_CONCURRENT_RUNS.
 */
export const nodePlatform: EdgePlatform<EdgeVars> = {
  runtime: "node",
  transport: ({ writeKey, config }) =>
    SegmentTransport.layer({ writeKey, ...config.target, gzip: config.gzip, timeoutMillis: config.timeoutMillis }),
  endpoint: (config) => resolveEndpoint(config.target).url
}

export interface NodeServer {
  readonly url: string
  readonly port: number
  readonly close: () => Promise<void>
}

/**
 * Starts the edge on Node; `env` defaults to `process.env`. The configuration is checked first:
 * a variable that does not check (or no TABLECAST_TOKEN) rejects with an `EdgeConfigError` naming
 * the variables at fault, never their values, and nothing listens.
 */
export const startNodeServer = async (
  options: { readonly env?: EdgeVars & EdgeOtelVars; readonly port?: number; readonly hostname?: string } = {}
): Promise<NodeServer> => {
  const env = options.env ?? (process.env as EdgeVars & EdgeOtelVars)
  const config = EdgeConfig.fromEnv(env)
  // The OTEL_* variables are checked at start-up too, not at the first run.
  edgeOtelSettings(env)
  if (config.token === undefined) {
    throw new EdgeConfigError({
      message: "invalid configuration:\nTABLECAST_TOKEN: not set; every request would be refused (set a token of at least 16 characters)",
      variables: ["TABLECAST_TOKEN"]
    })
  }
  // Metrics of this process, for GET /metrics.
  const app = createApp({ ...nodePlatform, metrics: makeEdgeMetrics() })
  const hostname = options.hostname ?? "127.0.0.1"
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: (request) => app.fetch(request, env), port: options.port ?? 14319, hostname }, (info: AddressInfo) => {
      resolve({
        url: `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${info.port}`,
        port: info.port,
        close: () => new Promise<void>((done, fail) => server.close((error) => (error ? fail(error) : done())))
      })
    })
    server.once("error", reject)
  })
}
