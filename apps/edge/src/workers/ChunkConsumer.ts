import { parseSyncParts } from "@tablecast/config"
import { emptySums, type Fatal, type FatalError, fatalOfRecord } from "@tablecast/core"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { EdgeConfig } from "../EdgeConfig.ts"
import { runEdgeEffect } from "../EffectBridge.ts"
import type { EdgePlatform } from "../EdgePlatform.ts"
import { type Logger, makeLogger } from "../Log.ts"
import { type ChunkMessage, chunkRows } from "../ChunkMessage.ts"
import { runRows } from "../RunSync.ts"
import { edgeRunTelemetry } from "../telemetry/EdgeTelemetry.ts"
import { type ChunkResult, chunkReportOf, type ChunkReport } from "../RunStatus.ts"
import { openWriteKey } from "../WriteKeySeal.ts"
import { runLogFields } from "../RunPolicy.ts"
import { sharedRequestRate } from "./SharedRequestRate.ts"
import { runState, type WorkerBindings } from "./WorkerBindings.ts"

/**
 * Within one delivery, the pipeline retries a batch for at most this long; past it the chunk is
 * retried by the queue, with a delay, which does not hold a consumer invocation (15 minutes of
 * wall time at most) while Segment is down.
 */
const ConsumerRetryMillis = 120_000

/**
 * Whether a chunk's fatal cause stops the whole run (later chunks are skipped) or only this
 * delivery. Segment not reached within the retry budget stops this chunk's pipeline, not the run:
 * the queue delivers the chunk again later, as it does when retries run out. Exhaustive: a new
 * cause in core must be decided here.
 */
const stopsTheRun = {
  EndpointUnreachable: false,
  WriteKeyRefused: true,
  SpecInvalid: true,
  SourceFailed: true,
  SourceChanged: true,
  CheckpointFailed: true,
  Interrupted: true,
  RejectLimitExceeded: true,
  GuardTripped: true,
  StateFailed: true,
  InternalDefect: true,
  BooksUnbalanced: true,
  OutputFailed: true
} as const satisfies { readonly [Tag in Fatal["_tag"]]: boolean }

/** The report of a chunk that was not read. */
const emptyReport = (): ChunkReport => ({ outcome: "aborted", ...emptySums() })

type Transport = EdgePlatform<WorkerBindings>["transport"]

/**
 * The queue consumer: delivers each chunk with the core pipeline and records its account in the
 * run's Durable Object. A chunk with undelivered messages (retries ran out) is retried by the
 * queue with a growing delay, up to `CHUNK_MAX_ATTEMPTS` deliveries, then dead-lettered. Resending
 * a chunk is harmless: messageIds are deterministic, so Segment keeps each row once.
 */
export const consumeChunks = async (batch: MessageBatch<ChunkMessage>, env: WorkerBindings, transport: Transport): Promise<void> => {
  const config = EdgeConfig.fromEnv(env)
  const log = makeLogger(config.logLevel)
  await Promise.all(
    batch.messages.map((message) =>
      consumeChunk(message, env, config, log, transport).catch((error: unknown) => {
        // The Durable Object or the queue failed us: let the queue deliver the chunk again. After
        // the consumer's max_retries, Cloudflare moves it to the dead-letter queue by itself.
        log.error("chunk.failed", {
          runId: message.body?.runId,
          chunk: message.body?.chunk,
          attempts: message.attempts,
          error: error instanceof Error ? error.name : "unknown"
        })
        message.retry({ delaySeconds: retryDelay(config, message.attempts) })
      })
    )
  )
}

const retryDelay = (config: EdgeConfig, attempts: number): number =>
  Math.min(43_200, config.limits.CHUNK_RETRY_DELAY_SECONDS * 2 ** Math.max(0, attempts - 1))

/** The key a chunk is delivered with: its run's sealed key, opened, else the deployment's secret. */
const chunkWriteKey = async (chunk: ChunkMessage, config: EdgeConfig): Promise<Redacted.Redacted<string> | FatalError> => {
  if (chunk.writeKey === undefined) {
    return config.writeKey ?? { kind: "auth", message: "no write key: the run brought none and SEGMENT_WRITE_KEY is not set" }
  }
  const opened = config.token === undefined ? undefined : await openWriteKey(chunk.writeKey, config.token, chunk.runId)
  return opened ?? { kind: "auth", message: "the run's sealed write key does not open (was TABLECAST_TOKEN rotated?)" }
}

const consumeChunk = async (
  message: Message<ChunkMessage>,
  env: WorkerBindings,
  config: EdgeConfig,
  log: Logger,
  transport: Transport
): Promise<void> => {
  const chunk = message.body
  const state = runState(env, chunk.runId)
  const rows = chunkRows(chunk)
  const base = { chunk: chunk.chunk, firstRow: chunk.firstRow, rows: rows.items.length, attempts: message.attempts }

  const deadLetter = async (reason: string): Promise<void> => {
    await env.RUN_DEAD_LETTERS.send(
      { reason, deadLetteredAt: new Date().toISOString(), attempts: message.attempts, chunk },
      { contentType: "json" }
    )
  }

  /** The run cannot go on: record why, keep the chunk, and let later chunks skip. */
  const stop = async (fatal: FatalError, alreadyRecorded = false): Promise<void> => {
    if (!alreadyRecorded) await state.abort(fatal)
    await deadLetter(`the run stopped: ${fatal.message}`)
    const result: ChunkResult = {
      ...base,
      deadLettered: true,
      skipped: true,
      finishedAt: new Date().toISOString(),
      report: { ...emptyReport(), fatal }
    }
    await state.record(result)
    log.warn("chunk.skipped", { runId: chunk.runId, chunk: chunk.chunk, rows: base.rows, fatal: fatal.kind })
    message.ack()
  }

  const fatal = await state.fatal()
  if (fatal !== undefined) return stop(fatal, true)

  const writeKey = await chunkWriteKey(chunk, config)
  if (!Redacted.isRedacted(writeKey)) return stop(writeKey)
  // The parser the request was checked with; the chunk's options are the pipeline it resolved to.
  const { spec, pipeline: options } = parseSyncParts({ spec: chunk.spec, pipeline: chunk.options })
  if (!spec.success || !options.success) {
    return stop({ kind: "internal", message: "a chunk's spec or options no longer check (was the edge upgraded mid-run?)" })
  }

  // Each chunk is traced as a run of its own (trigger `queue`, the run's id); a bad OTEL_* variable only turns it off.
  const telemetry = await edgeRunTelemetry(env, { runId: chunk.runId, syncName: spec.data.name, trigger: "queue" }, "workers").catch(
    (error: unknown) => void log.error("telemetry.invalid", { runId: chunk.runId, error: error instanceof Error ? error.message : "unknown" })
  )
  const delivered = await runEdgeEffect(
    runRows({
      spec: spec.data,
      options: { ...options.data, maxRetryMillis: Math.min(options.data.maxRetryMillis, ConsumerRetryMillis) },
      rows,
      description: `${chunk.columns === undefined ? "json" : "csv"} request ${chunk.runId}, rows ${chunk.firstRow}–${chunk.firstRow + rows.items.length - 1}`,
      fingerprint: `request:${chunk.runId}:${chunk.chunk}`,
      transport: transport({ writeKey, config }),
      // The consumers of one run share its request rate, through the run's Durable Object.
      sendingPolicy: sharedRequestRate((rate) => state.reserveRequest(rate)),
      // The plan the request was checked with, carried by the chunk (built once per plan object).
      ...(chunk.trackingPlan === undefined ? {} : { trackingPlan: chunk.trackingPlan }),
      ...(telemetry === undefined ? {} : { instrument: telemetry.instrument })
    }).pipe(
      Effect.map((report) => ({ report })),
      // A key the transport cannot send stops the run, as the endpoint refusing it would.
      Effect.catchTag("TransportSetupError", (error) => Effect.succeed({ fatal: { kind: "auth", message: error.message } satisfies FatalError }))
    )
  )
  // A queue handler's answer waits for nobody: the last export is awaited here.
  await telemetry?.flush()
  if ("fatal" in delivered) return stop(delivered.fatal)
  const report = delivered.report
  const runStopped = report.fatal !== undefined && stopsTheRun[fatalOfRecord(report.fatal)._tag]
  if (runStopped) await state.abort(report.fatal!)

  const unfinished = report.messages.undelivered > 0 || report.rows.read < rows.items.length
  if (unfinished && !runStopped && message.attempts < config.limits.CHUNK_MAX_ATTEMPTS) {
    const delaySeconds = retryDelay(config, message.attempts)
    log.warn("chunk.retry", {
      runId: chunk.runId,
      chunk: chunk.chunk,
      attempts: message.attempts,
      undelivered: report.messages.undelivered,
      delaySeconds
    })
    message.retry({ delaySeconds })
    return
  }
  if (unfinished) {
    await deadLetter(
      !runStopped
        ? `${report.messages.undelivered} messages undelivered after ${message.attempts} deliveries of the chunk`
        : `the run stopped: ${report.fatal!.message}`
    )
  }
  await state.record({
    ...base,
    deadLettered: unfinished,
    skipped: false,
    finishedAt: new Date().toISOString(),
    report: chunkReportOf(report)
  })
  log.info("chunk.delivered", {
    runId: chunk.runId,
    chunk: chunk.chunk,
    attempts: message.attempts,
    ...runLogFields(report),
    deadLettered: unfinished
  })
  message.ack()
}
