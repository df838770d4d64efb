import type { RunTrigger, Transport } from "@tablecast/core"
import type { AlertSettings } from "@tablecast/core/notify"
import type * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type { EdgeConfig } from "./EdgeConfig.ts"
import type { EdgeRunHistory } from "./history/EdgeRunEntry.ts"
import type { RunRequest } from "./RunRequest.ts"
import type { RunStatus } from "./RunStatus.ts"
import type { EdgeMetrics } from "./telemetry/EdgeMetrics.ts"

/** A run accepted for queued delivery. */
export interface QueuedRunAccepted {
  readonly runId: string
  readonly rows: number
  readonly chunks: number
}

/** Large runs, delivered in the background (Cloudflare Queues + a Durable Object per run). */
export interface QueuedRuns {
  readonly start: (input: {
    readonly runId: string
    readonly request: RunRequest
    /** The request's own write key, if it brought one (sealed before it is enqueued). */
    readonly writeKey: Redacted.Redacted<string> | undefined
    readonly endpoint: string
    /** Where the rows came from, for the run's status; the request by default. */
    readonly source?: string
    /** What started the run, for its record: a request (`edge`) by default, or a Cron Trigger (`cron`). */
    readonly trigger?: RunTrigger
    /** Where to alert once the run is done (its URL is sealed before it is stored). */
    readonly notify?: AlertSettings
  }) => Promise<QueuedRunAccepted>
  readonly status: (runId: string) => Promise<RunStatus | undefined>
}

/** What differs between Cloudflare Workers and Node: the transport, the queue, the rate limiter. */
export interface EdgePlatform<Bindings extends object> {
  /** `workers` or `node`, for logs and `/health`. */
  readonly runtime: string
  /** The Segment transport for one run; fails when its options do not check (e.g. a bad key). */
  readonly transport: (input: {
    readonly writeKey: Redacted.Redacted<string>
    readonly config: EdgeConfig
  }) => Layer.Layer<Transport, { readonly message: string }>
  /** Where batches go, for reports (never holds the key). */
  readonly endpoint: (config: EdgeConfig) => string
  /** Queued runs, when the platform has a queue (Workers); without it large runs get 413. */
  readonly queuedRuns?: (env: Bindings, config: EdgeConfig) => QueuedRuns | undefined
  /** The run history, when the platform keeps one (Workers: a Durable Object). */
  readonly runHistory?: (env: Bindings, config: EdgeConfig) => EdgeRunHistory
  /** The process's metrics for `GET /metrics` (Node: one process; Workers have none, their isolates are many). */
  readonly metrics?: EdgeMetrics
  /** A rate limit on run requests, when configured: the seconds to wait, or undefined to go on. */
  readonly admit?: (env: Bindings) => Promise<number | undefined>
}
