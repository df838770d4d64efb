import type { EdgeConfig } from "../EdgeConfig.ts"
import type { QueuedRuns } from "../EdgePlatform.ts"
import { RequestError } from "../RequestError.ts"
import { Batcher, newRunId } from "@tablecast/core"
import * as Redacted from "effect/Redacted"
import { runSettingsOf } from "../history/EdgeRun.ts"
import type { RunningEdgeRun } from "../history/EdgeRunEntry.ts"
import { makeLogger } from "../Log.ts"
import { workerRunHistory } from "./WorkerRunHistory.ts"
import { chunkHeader, type SizedChunk } from "../ChunkMessage.ts"
import { checkPlanFitsChunks, planForSpec, planInForce } from "../EdgeTrackingPlan.ts"
import { splitIntoChunks } from "../RunChunks.ts"
import type { RunMeta } from "../RunStatus.ts"
import { sealWriteKey } from "../WriteKeySeal.ts"
import { runState, type WorkerBindings } from "./WorkerBindings.ts"

/** Cloudflare Queues takes at most 100 messages and 256 KB per `sendBatch`. */
const SendBatchCount = 100
const SendBatchBytes = 250_000

/** Groups chunks into `sendBatch` calls within the queue's limits. */
const sendGroups = (chunks: ReadonlyArray<SizedChunk>): Array<Array<SizedChunk>> => {
  const batcher = new Batcher<SizedChunk, Array<SizedChunk>>({
    maxCount: SendBatchCount,
    maxBytes: SendBatchBytes,
    envelopeBytes: 0,
    separatorBytes: 0,
    sizeOf: (chunk) => chunk.bytes,
    close: (group) => group
  })
  const groups = chunks.flatMap((chunk) => batcher.add(chunk))
  const last = batcher.flush()
  return last === undefined ? groups : [...groups, last]
}

/**
 * Queued runs on Workers: the rows are split into chunks, the run is recorded in its Durable
 * Object, and the chunks go on the `RUN_CHUNKS` queue, whose consumer (this Worker's `queue`
 * handler) delivers them.
 */
export const workerQueuedRuns = (env: WorkerBindings, config: EdgeConfig): QueuedRuns => ({
  start: async ({ runId, request, writeKey, endpoint, source, trigger, notify }) => {
    const limits = config.limits
    // The app refuses requests without a token before this point; sealing needs it.
    const sealed = writeKey === undefined || config.token === undefined ? undefined : await sealWriteKey(writeKey, config.token, runId)
    // Every chunk carries the plan's rules the sync can meet: they must leave room for rows.
    const inForce = planInForce(request.trackingPlan, config.trackingPlan)
    const trackingPlan = inForce === undefined ? undefined : planForSpec(inForce, request.spec)
    if (trackingPlan !== undefined) checkPlanFitsChunks(trackingPlan, limits.CHUNK_MAX_BYTES)
    const chunks = splitIntoChunks({
      header: chunkHeader({ runId, spec: request.spec, options: request.options, rows: request.rows, writeKey: sealed, trackingPlan }),
      items: request.rows.items,
      maxRows: limits.CHUNK_MAX_ROWS,
      maxBytes: limits.CHUNK_MAX_BYTES
    })
    const spec = request.spec
    const startedAt = new Date().toISOString()
    // As the core names a sync in its reports.
    const sync = spec.name ?? `${spec.type}:${spec.event ?? ""}`
    const described = source ?? `${request.format} request ${runId}`
    const history: RunningEdgeRun = {
      id: newRunId(startedAt),
      runId,
      mode: "queue",
      state: "running",
      sync,
      trigger: trigger ?? "edge",
      source: described,
      endpoint,
      startedAt,
      dryRun: request.options.dryRun,
      settings: runSettingsOf(request.options, { mode: "queue", format: request.format }),
      queue: { chunks: chunks.length, rows: request.rows.items.length }
    }
    const meta: RunMeta = {
      runId,
      sync,
      source: described,
      endpoint,
      format: request.format,
      rows: request.rows.items.length,
      chunks: chunks.length,
      startedAt,
      history,
      ...(notify === undefined || config.token === undefined
        ? {}
        : {
            notify: {
              url: await sealWriteKey(Redacted.make(notify.url), config.token, runId, "webhook-url-seal/v1"),
              on: notify.on,
              rejectsOver: notify.rejectsOver,
              format: notify.format
            }
          })
    }
    const state = runState(env, runId)
    await state.start(meta, limits.RUN_RETENTION_HOURS * 3_600_000)
    await workerRunHistory(env, config)
      .add(history)
      // The run goes on without its history entry: the history is a record, not part of delivery.
      .catch((error: unknown) =>
        makeLogger(config.logLevel).warn("history.failed", { runId, error: error instanceof Error ? error.name : "unknown" })
      )

    let sent = 0
    try {
      for (const group of sendGroups(chunks)) {
        await env.RUN_CHUNKS.sendBatch(group.map((chunk) => ({ body: chunk.message, contentType: "json" as const })))
        sent += group.length
      }
    } catch {
      const unsent = chunks.slice(sent).reduce((rows, chunk) => rows + chunk.message.rows.length, 0)
      await state.enqueueFailed({ fromChunk: sent, rows: unsent, message: "the queue refused a batch of chunks" })
      throw new RequestError({
        status: 503,
        message: `run ${runId}: ${sent} of ${chunks.length} chunks were enqueued (they are being delivered; see GET /v1/runs/${runId}); send the rest again later`,
        retryAfterSeconds: 30
      })
    }
    return { runId, rows: meta.rows, chunks: chunks.length }
  },
  status: (runId) => runState(env, runId).status()
})
