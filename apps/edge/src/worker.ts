import { FetchSegmentTransport, resolveEndpoint } from "@tablecast/segment/fetch"
import { createApp } from "./App.ts"
import type { EdgeConfig } from "./EdgeConfig.ts"
import type { EdgePlatform } from "./EdgePlatform.ts"
import type { ChunkMessage } from "./ChunkMessage.ts"
import { consumeChunks } from "./workers/ChunkConsumer.ts"
import type { WorkerBindings } from "./workers/WorkerBindings.ts"
import { workerQueuedRuns } from "./workers/WorkerQueuedRuns.ts"
import { runScheduled } from "./workers/ScheduledHandler.ts"
import { workerRunHistory } from "./workers/WorkerRunHistory.ts"

// The main module exports only what the runtime looks for: the handlers and the Durable Object class.
export { RunState } from "./workers/RunState.ts"
export { RunHistoryStore } from "./workers/RunHistoryStore.ts"
export type { WorkerBindings } from "./workers/WorkerBindings.ts"

/** Seconds a caller is told to wait when the run-rate limiter says no (its period is 60 s). */
const RateLimitRetrySeconds = 60

const transportOptions = (config: EdgeConfig) => ({
  ...config.target,
  gzip: config.gzip,
  timeoutMillis: config.timeoutMillis
})

/** The Cloudflare Workers platform: fetch transport, Queues for large runs, optional rate limiter. */
const workersPlatform: EdgePlatform<WorkerBindings> = {
  runtime: "workers",
  transport: ({ writeKey, config }) => FetchSegmentTransport.layer({ writeKey, ...transportOptions(config) }),
  endpoint: (config) => resolveEndpoint(config.target).url,
  queuedRuns: (env, config) => workerQueuedRuns(env, config),
  runHistory: (env, config) => workerRunHistory(env, config),
  admit: async (env) => {
    if (env.RUN_LIMITER === undefined) return undefined
    const { success } = await env.RUN_LIMITER.limit({ key: "runs" })
    return success ? undefined : RateLimitRetrySeconds
  }
}

const app = createApp(workersPlatform)

export default {
  fetch: app.fetch,
  queue: (batch, env) => consumeChunks(batch, env, workersPlatform.transport),
  scheduled: (controller, env) => runScheduled(controller, env, workersPlatform)
} satisfies ExportedHandler<WorkerBindings, ChunkMessage>
