import { Cause, Clock, Deferred, Effect, Fiber, Queue, Random, Result, Semaphore, Stream } from "effect"
import { type Batch, BatchBuilder } from "./Batcher.ts"
import type { DeliveryReport, FatalError } from "./DeliveryReport.ts"
import { DeliveryTally } from "./DeliveryTally.ts"
import { type BuiltMessage, compileMapper, type LibraryInfo, namedColumns, syncNamespace } from "./MessageMapper.ts"
import type { PipelineOptions } from "./PipelineOptions.ts"
import { ProgressListener } from "./Progress.ts"
import { type RejectedRow, RejectSink } from "./RejectSink.ts"
import { decideRetry } from "./RetryPolicy.ts"
import { isMalformed, RowSource, type SourceError } from "./RowSource.ts"
import type { SyncSpec } from "./SyncSpec.ts"
import { Transport, type TransportError } from "./Transport.ts"
import { VERSION } from "./Version.ts"

export interface SyncInput {
  readonly spec: SyncSpec
  readonly options: PipelineOptions
  /** Sent as `context.library`; apps pass their own name and version. */
  readonly library?: LibraryInfo
}

const describeError = (error: TransportError): string =>
  error.status === undefined ? `${error.kind} error: ${error.message}` : `HTTP ${error.status}: ${error.message}`

const missingColumns = (spec: SyncSpec, columns: ReadonlyArray<string>): FatalError | undefined => {
  const present = new Set(columns)
  const missing = namedColumns(spec).filter((column) => !present.has(column))
  if (missing.length === 0) return undefined
  const list = missing.map((column) => `"${column}"`).join(", ")
  return {
    kind: "spec",
    message: `the sync names ${missing.length === 1 ? "a column" : "columns"} the source does not have: ${list} (the source's columns: ${columns.join(", ")})`
  }
}

/**
 * Runs a sync: reads the source, maps and validates each row, batches and sends, and returns the
 * delivery report. Never fails: a fatal error ends the run and is told in `report.fatal`.
 *
 * Shape of the pipeline: a reader fiber maps rows into a bounded queue (it waits when the queue
 * is full: that is the backpressure), the batching loop fills batches by count, bytes and time,
 * and each batch is delivered by its own fiber under a bound on batches in flight (when every slot
 * is taken the loop waits, the queue fills, and the reader waits in turn).
 */
export const run = Effect.fn("Sync.run")(function* (input: SyncInput) {
  const { spec, options } = input
  const source = yield* RowSource
  const transport = yield* Transport
  const rejectSink = yield* RejectSink
  const listener = yield* ProgressListener
  const startedAt = yield* Clock.currentTimeMillis
  const tally = new DeliveryTally(startedAt)
  const map = compileMapper(spec, input.library ?? { name: "tablecast", version: VERSION })
  const meta = {
    sync: syncNamespace(spec),
    source: source.description,
    endpoint: options.dryRun ? "(dry run: nothing sent)" : transport.endpoint,
    dryRun: options.dryRun
  }
  const finish = Effect.gen(function* () {
    const now = yield* Clock.currentTimeMillis
    listener.onProgress(tally.snapshot(now))
    return tally.report(meta, now)
  })
  const sourceFailure = (error: SourceError): FatalError => ({ kind: "source", message: error.message })

  // Before anything is read or sent: the source's size for the ETA, and its columns.
  const estimate = yield* Effect.result(source.estimatedRows)
  if (Result.isFailure(estimate)) {
    tally.fatal = sourceFailure(estimate.failure)
    return yield* finish
  }
  tally.estimatedRows = estimate.success
  if (source.columns !== undefined) {
    const columns = yield* Effect.result(source.columns)
    const fatal = Result.isFailure(columns) ? sourceFailure(columns.failure) : missingColumns(spec, columns.success)
    if (fatal !== undefined) {
      tally.fatal = fatal
      return yield* finish
    }
  }

  const queue = yield* Queue.bounded<BuiltMessage, Cause.Done>(options.queueCapacity)
  const stop = yield* Deferred.make<void>()
  const slots = yield* Semaphore.make(options.maxInFlight)
  const builder = new BatchBuilder({
    maxCount: options.batchCount,
    maxBytes: options.batchBytes,
    envelopeBytes: transport.envelopeBytes
  })
  /** Batches handed to a delivery fiber and not yet settled. */
  const inFlight = new Set<Batch>()
  /** After a 429 with Retry-After, no batch is posted before this time. */
  let pausedUntil = 0

  const rejectAll = (rejects: ReadonlyArray<RejectedRow>) =>
    rejects.length === 0
      ? Effect.void
      : Effect.suspend(() => {
          tally.recordRejects(rejects)
          return rejectSink.write(rejects)
        })

  const abort = (fatal: FatalError) =>
    Effect.suspend(() => {
      tally.fatal ??= fatal
      return Deferred.succeed(stop, undefined)
    })

  const rejectsOf = (messages: ReadonlyArray<BuiltMessage>, stage: RejectedRow["stage"], reason: string, status?: number) =>
    messages.map((message): RejectedRow => ({
      row: message.rowNumber,
      stage,
      reason,
      messageId: message.messageId,
      ...(status === undefined ? {} : { status })
    }))

  /** Settles a batch once, whatever happened to it. */
  const settle = (batch: Batch, outcome: "accepted" | "refused" | "undelivered", reason?: string, status?: number) =>
    Effect.suspend(() => {
      if (!inFlight.delete(batch)) return Effect.void
      const count = batch.messages.length
      if (outcome === "accepted") {
        tally.messagesAccepted += count
        tally.batchesAccepted++
        return Effect.void
      }
      if (outcome === "refused") {
        tally.messagesRefused += count
        tally.batchesRefused++
      } else {
        tally.messagesUndelivered += count
        tally.batchesUndelivered++
      }
      return rejectAll(rejectsOf(batch.messages, outcome === "refused" ? "batch-refused" : "undelivered", reason!, status))
    })

  const deliver = (batch: Batch) =>
    Effect.gen(function* () {
      const messages = batch.messages.map((message) => message.json)
      const firstTry = yield* Clock.currentTimeMillis
      tally.messagesSent += messages.length
      for (let attempt = 1; ; attempt++) {
        const before = yield* Clock.currentTimeMillis
        if (pausedUntil > before) yield* Effect.sleep(pausedUntil - before)
        tally.requests++
        tally.bytesSent += transport.envelopeBytes + batch.messageBytes
        const sent = yield* Effect.result(transport.send({ messages, messageBytes: batch.messageBytes, attempt }))
        if (Result.isSuccess(sent)) return yield* settle(batch, "accepted")
        const error = sent.failure
        const now = yield* Clock.currentTimeMillis
        const decision = decideRetry(error, attempt, now - firstTry, options, yield* Random.next)
        if (decision._tag === "Retry") {
          tally.retries++
          if (decision.pauseAll) pausedUntil = Math.max(pausedUntil, now + decision.delayMillis)
          yield* Effect.sleep(decision.delayMillis)
          continue
        }
        switch (decision.reason) {
          case "auth":
            // The batch stays in flight: the stop below settles it with everything else unsent.
            return yield* abort({
              kind: "auth",
              message: `the endpoint refused the write key (${describeError(error)}); check the key and the region or endpoint`,
              ...(error.status === undefined ? {} : { status: error.status })
            })
          case "refused":
            return yield* settle(batch, "refused", `the endpoint refused the batch as a whole (${describeError(error)})`, error.status)
          case "exhausted":
            return yield* settle(
              batch,
              "undelivered",
              `not delivered after ${attempt} attempt${attempt === 1 ? "" : "s"} over ${Math.round((now - firstTry) / 1000)} s (last: ${describeError(error)})`,
              error.status
            )
        }
      }
    })

  /**
   * Batches closed but not yet handed to a delivery fiber (waiting for a slot). Everything the
   * pipeline holds is always in one place — the reader's `offering`, the queue, the builder, this
   * list, or `inFlight` — so a stop can account for every message.
   */
  const waiting: Array<Batch> = []
  let offering: ReadonlyArray<BuiltMessage> = []

  const dispatchWaiting = Effect.gen(function* () {
    while (waiting.length > 0) {
      const batch = waiting[0]!
      if (options.dryRun) {
        waiting.shift()
        tally.batchesPlanned++
        continue
      }
      yield* slots.take(1)
      yield* Effect.sync(() => {
        waiting.shift()
        inFlight.add(batch)
        tally.batchesInFlight++
      })
      yield* Effect.forkChild(
        deliver(batch).pipe(
          Effect.ensuring(
            Effect.gen(function* () {
              tally.batchesInFlight--
              listener.onProgress(tally.snapshot(yield* Clock.currentTimeMillis))
              yield* slots.release(1)
            })
          )
        )
      )
    }
  })

  const read = source.rows.pipe(
    Stream.runForEachArray((items) => {
      const messages: Array<BuiltMessage> = []
      const rejects: Array<RejectedRow> = []
      for (const item of items) {
        tally.rowsRead++
        if (isMalformed(item)) {
          tally.rowsRejected++
          rejects.push({ row: item.malformed.rowNumber, stage: "source", reason: item.malformed.reason })
          continue
        }
        const mapped = map(item)
        if (mapped.ok) {
          tally.rowsMapped++
          tally.messagesBuilt += mapped.messages.length
          for (const message of mapped.messages) messages.push(message)
        } else {
          tally.rowsRejected++
          rejects.push({
            row: item.rowNumber,
            stage: "validation",
            reason: mapped.reason,
            ...(mapped.column === undefined ? {} : { column: mapped.column }),
            values: item.values
          })
        }
      }
      if (messages.length === 0) return rejectAll(rejects)
      offering = messages
      return rejectAll(rejects).pipe(
        Effect.andThen(Queue.offerAll(queue, messages)),
        Effect.andThen(Effect.sync(() => (offering = [])))
      )
    }),
    // A source that fails mid-way still gets what it read delivered; the report says why it ended.
    Effect.catchTag("SourceError", (error) =>
      Effect.sync(() => {
        tally.fatal ??= sourceFailure(error)
      })
    ),
    Effect.ensuring(Queue.end(queue))
  )

  const batchLoop = Effect.gen(function* () {
    const { flushIntervalMillis } = options
    let windowStart = yield* Clock.currentTimeMillis
    const flushOpen = Effect.gen(function* () {
      const batch = builder.flush()
      windowStart = yield* Clock.currentTimeMillis
      if (batch !== undefined) {
        waiting.push(batch)
        yield* dispatchWaiting
      }
    })
    while (true) {
      const idle = builder.size === 0
      const take = Queue.takeBetween(queue, 1, options.batchCount - builder.size)
      let taken: ReadonlyArray<BuiltMessage>
      if (idle) {
        const result = yield* Effect.result(take)
        if (Result.isFailure(result)) break
        taken = result.success
        // An idle pipeline opens a new time window with its first message, as Segment's
        // libraries do, rather than flushing a lone message at once.
        const now = yield* Clock.currentTimeMillis
        if (now - windowStart >= flushIntervalMillis) windowStart = now
      } else {
        const remaining = windowStart + flushIntervalMillis - (yield* Clock.currentTimeMillis)
        if (remaining <= 0) {
          yield* flushOpen
          continue
        }
        const result = yield* Effect.result(Effect.timeoutOption(take, remaining))
        if (Result.isFailure(result)) break
        if (result.success._tag === "None") {
          yield* flushOpen
          continue
        }
        taken = result.success.value
      }
      // Synchronous: taken messages are in the builder or a waiting batch before anything yields.
      const closedBefore = waiting.length
      for (const message of taken) for (const batch of builder.add(message)) waiting.push(batch)
      if (waiting.length > closedBefore) windowStart = yield* Clock.currentTimeMillis
      yield* dispatchWaiting
    }
    yield* flushOpen
    // Every slot back means every delivery fiber has settled its batch.
    yield* slots.take(options.maxInFlight)
    yield* slots.release(options.maxInFlight)
  })

  const progressTicker = Effect.gen(function* () {
    while (true) {
      yield* Effect.sleep(listener.intervalMillis)
      listener.onProgress(tally.snapshot(yield* Clock.currentTimeMillis))
    }
  })

  const pipeline = Effect.gen(function* () {
    yield* Effect.forkChild(progressTicker)
    const reader = yield* Effect.forkChild(read)
    yield* batchLoop
    yield* Fiber.join(reader)
  })

  yield* Effect.raceFirst(pipeline, Deferred.await(stop))

  if (yield* Deferred.isDone(stop)) {
    // Stopped at once: whatever was read but not acknowledged is reported as undelivered.
    const reason = `not confirmed delivered: the run stopped (${tally.fatal?.message ?? "stopped"})`
    const settledInFlight = new Set<BuiltMessage>()
    for (const batch of [...inFlight]) {
      for (const message of batch.messages) settledInFlight.add(message)
      yield* settle(batch, "undelivered", reason)
    }
    const queued = yield* Queue.clear(queue).pipe(Effect.orElseSucceed((): ReadonlyArray<BuiltMessage> => []))
    const leftovers = new Set<BuiltMessage>([
      ...waiting.flatMap((batch) => batch.messages),
      ...(builder.flush()?.messages ?? []),
      ...queued,
      ...offering
    ])
    for (const message of settledInFlight) leftovers.delete(message)
    if (leftovers.size > 0) {
      const ordered = [...leftovers].sort((a, b) => a.rowNumber - b.rowNumber)
      tally.messagesUndelivered += ordered.length
      yield* rejectAll(rejectsOf(ordered, "undelivered", reason))
    }
  }
  return yield* finish
})

export type { DeliveryReport }
