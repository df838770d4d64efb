import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Queue from "effect/Queue"
import * as Random from "effect/Random"
import * as Result from "effect/Result"
import * as Semaphore from "effect/Semaphore"
import * as Stream from "effect/Stream"
import { AckWatermark } from "./AckWatermark.ts"
import { checkBooks } from "./Books.ts"
import { type Batch, BatchBuilder } from "./Batcher.ts"
import { type Checkpoint, CheckpointStore } from "./Checkpoint.ts"
import type { DeliveryReport, FatalError } from "./DeliveryReport.ts"
import { DeliveryTally } from "./DeliveryTally.ts"
import { oneLineError } from "./ErrorText.ts"
import { type BuiltMessage, compileMapper, type LibraryInfo, syncNamespace } from "./MessageMapper.ts"
import type { PipelineOptions } from "./PipelineOptions.ts"
import { ProgressListener } from "./Progress.ts"
import { type RejectedRow, RejectSink } from "./RejectSink.ts"
import { decideRetry } from "./RetryPolicy.ts"
import { isMalformed, isPrepared, malformedReject, type PreparedRow, RowSource, type SourceError, type SourceItem } from "./RowSource.ts"
import { missingColumns } from "./spec/MissingColumns.ts"
import type { SyncSpec } from "./SyncSpec.ts"
import { Transport, type TransportError } from "./Transport.ts"
import { VERSION } from "./Version.ts"
import { MESSAGE_ID_SCHEME } from "./MessageId.ts"
import { RowRangeSet } from "./RowRanges.ts"

/** How a caller asks a run to stop (the CLI wires these to SIGINT/SIGTERM). */
export interface StopRequests {
  /** Completes on a request to stop reading, flush what is queued and in flight, and end. */
  readonly drain: Effect.Effect<void>
  /** Completes on a request to stop at once (a second signal). */
  readonly now: Effect.Effect<void>
}

export interface SyncInput {
  readonly spec: SyncSpec
  readonly options: PipelineOptions
  /** Sent as `context.library`; apps pass their own name and version. */
  readonly library?: LibraryInfo
  /** `auto` resumes an interrupted run from its checkpoint; `restart` ignores the checkpoint. */
  readonly resume?: "auto" | "restart"
  readonly stop?: StopRequests
  /**
   * Told of each batch once it is settled: `accepted` after a 2xx, otherwise refused or undelivered.
   * An incremental sync advances its snapshot here, so the snapshot is never ahead of delivery. A
   * failure stops the run.
   */
  readonly onSettled?: (messages: ReadonlyArray<BuiltMessage>, accepted: boolean) => Effect.Effect<void, SettleFailure>
  /** Rows built and checked before the run, read instead of the source's rows (an incremental sync's changes). */
  readonly prepared?: Stream.Stream<PreparedRow, SourceError>
}

/** A settle hook's failure: a state store that could not record the batch (it stops the run as `state`). */
export interface SettleFailure {
  readonly _tag: "StateError"
  readonly message: string
}

/**
 * What a transport's error says, once: the status or the kind, then the transport's own words
 * (the endpoint's message, the socket's error), which never repeat the status or the kind.
 */
const describeError = (error: TransportError): string => {
  const what = error.status !== undefined ? `HTTP ${error.status}` : error.kind === "timeout" ? "timed out" : `${error.kind} error`
  return error.message === "" ? what : `${what}: ${error.message}`
}

/** Ends the reading stream from inside, on a graceful stop. */
class StopReading {
  readonly _tag = "StopReading"
}

/**
 * Runs a sync: reads the source, maps and validates each row, batches and sends, and returns the
 * delivery report. Never fails: a fatal error ends the run and is told in `report.fatal`.
 *
 * Shape of the pipeline: a reader fiber maps rows into a bounded queue (it waits when the queue
 * is full: that is the backpressure), the batching loop fills batches by count, bytes and time,
 * and each batch is delivered by its own fiber under a bound on batches in flight (when every slot
 * is taken the loop waits, the queue fills, and the reader waits in turn). With a checkpoint
 * store, the watermark of rows settled for good is saved as acknowledgements arrive.
 */
export const run = Effect.fn("Sync.run")(function* (input: SyncInput) {
  const { spec, options } = input
  const source = yield* RowSource
  const transport = yield* Transport
  const rejectSink = yield* RejectSink
  const listener = yield* ProgressListener
  const store = options.dryRun ? undefined : yield* CheckpointStore
  const startedAt = yield* Clock.currentTimeMillis
  const tally = new DeliveryTally(startedAt)
  const library = input.library ?? { name: "tablecast", version: VERSION }
  // A spec the mapper cannot compile (a static context nested past the serializer) ends the run below.
  const compiled = Result.try(() => compileMapper(spec, library))
  const namespace = syncNamespace(spec)
  const meta = {
    sync: namespace,
    source: source.description,
    endpoint: options.dryRun ? "(dry run: nothing sent)" : transport.endpoint,
    dryRun: options.dryRun
  }
  /** Messages a dry run placed in the batches it planned: settled by being planned. */
  let messagesPlanned = 0
  /** The books are checked at the end of every run: a run that does not balance fails as `unbalanced`. */
  const balanceBooks = () => {
    tally.fatal =
      checkBooks(
        {
          rows: { read: tally.rowsRead, skipped: tally.rowsSkipped, rejected: tally.rowsRejected, mapped: tally.rowsMapped },
          messages: {
            built: tally.messagesBuilt,
            accepted: tally.messagesAccepted,
            refused: tally.messagesRefused,
            undelivered: tally.messagesUndelivered
          },
          planned: messagesPlanned
        },
        tally.fatal
      ) ?? tally.fatal
  }
  /** Tells the listener; a listener that throws is a bug that fails the run (never one that hangs it). */
  const tellProgress = (now: number): FatalError | undefined => {
    try {
      listener.onProgress(tally.snapshot(now))
      return undefined
    } catch (error) {
      return internalError("the progress listener failed", error)
    }
  }
  const finish = Effect.gen(function* () {
    const now = yield* Clock.currentTimeMillis
    const failed = tellProgress(now)
    if (failed !== undefined && (tally.fatal === undefined || tally.fatal.kind === "interrupted")) tally.fatal = failed
    balanceBooks()
    return tally.report(meta, now)
  })
  const sourceFailure = (error: SourceError): FatalError => ({ kind: "source", message: error.message })
  if (Result.isFailure(compiled)) {
    tally.fatal = { kind: "spec", message: `the sync cannot be mapped: ${oneLineError(compiled.failure)}` }
    return yield* finish
  }
  let map = compiled.success

  // Before anything is read or sent: the source's size for the ETA, its columns, its checkpoint.
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
  // `auto` as the source decides it, column by column (a warehouse's declared types, a file's first rows).
  const typed = source.columnTypes === undefined || input.prepared !== undefined ? undefined : yield* Effect.result(source.columnTypes)
  if (typed !== undefined && Result.isFailure(typed)) {
    tally.fatal = sourceFailure(typed.failure)
    return yield* finish
  }
  const columnTypes = typed?.success
  if (columnTypes !== undefined || source.repeatsBefore !== undefined) {
    map = compileMapper(spec, library, { columnTypes, repeatsBefore: source.repeatsBefore })
  }
  let fingerprint = ""
  let skipThrough = 0
  /** Rows up to `skipThrough` that the interrupted run did not deliver: sent again, not skipped. */
  let carried = new RowRangeSet()
  if (store !== undefined) {
    const printed = yield* Effect.result(source.fingerprint)
    if (Result.isFailure(printed)) {
      tally.fatal = sourceFailure(printed.failure)
      return yield* finish
    }
    fingerprint = printed.success
    const loaded = yield* Effect.result(store.load)
    if (Result.isFailure(loaded)) {
      tally.fatal = { kind: "checkpoint", message: loaded.failure.message }
      return yield* finish
    }
    const previous = loaded.success
    if (previous !== undefined && !previous.complete && previous.sync === namespace && input.resume !== "restart") {
      if (previous.fingerprint !== fingerprint) {
        tally.fatal = {
          kind: "source-changed",
          message: `the source changed since the interrupted run of ${previous.updatedAt} (its first ${previous.watermark} rows were delivered): resuming would skip rows that are not those; run again with --restart to send the source from the start (messageIds of unchanged rows are the same, so Segment deduplicates them)`
        }
        return yield* finish
      }
      skipThrough = previous.watermark
      carried = new RowRangeSet(previous.undelivered ?? [])
      tally.resumedFrom = previous.watermark
    }
  }

  // With a reject limit, nothing is sent before the first rows are checked, so the queue holds at
  // least those rows' messages (whatever its own capacity): the probe is never cut short by it.
  const limitRejects = options.maxRejectedRows !== undefined || options.maxRejectedShare !== undefined
  const messagesPerRow = spec.type === "both" ? 2 : 1
  const queueCapacity = limitRejects ? Math.max(options.queueCapacity, options.rejectProbeRows * messagesPerRow) : options.queueCapacity
  const queue = yield* Queue.bounded<BuiltMessage, Cause.Done>(queueCapacity)
  const stop = yield* Deferred.make<void>()
  const slots = yield* Semaphore.make(options.maxInFlight)
  const builder = new BatchBuilder({
    maxCount: options.batchCount,
    maxBytes: options.batchBytes,
    envelopeBytes: transport.envelopeBytes
  })
  const acks = new AckWatermark()
  /** Batches handed to a delivery fiber and not yet settled. */
  const inFlight = new Set<Batch>()
  /**
   * Batches closed but not yet handed to a delivery fiber (waiting for a slot).
   */
  const waiting: Array<Batch> = []
  let offering: ReadonlyArray<BuiltMessage> = []
  /**
   * Every message handed to the queue and not yet settled (nor planned, in a dry run). A stop counts
   * what is left here as undelivered, rather than searching the reader's `offering`, the queue, the
   * builder and `waiting`: each of those can be caught mid-move by an interruption (a take that
   * completes as its fiber is cut), this set cannot.
   */
  const unsettled = new Set<BuiltMessage>()
  /** After a 429 with Retry-After, no batch is posted before this time. */
  let pausedUntil = 0
  /** The last row read, mapped and handed to the queue. */
  let readThrough = skipThrough
  let firstMessageRow = Number.POSITIVE_INFINITY
  let messagesBatched = 0
  let stopping = false

  const probe = yield* Deferred.make<void>()
  if (!limitRejects) yield* Deferred.succeed(probe, undefined)

  const rejectAll = (rejects: ReadonlyArray<RejectedRow>) =>
    rejects.length === 0
      ? Effect.void
      : Effect.suspend(() => {
          tally.recordRejects(rejects)
          return rejectSink.write(rejects).pipe(Effect.catchTag("OutputError", (error) => abort({ kind: "output", message: error.message })), Effect.asVoid)
        })

  const abort = (fatal: FatalError) =>
    Effect.suspend(() => {
      // The first cause stands, except that a stop at once replaces the graceful stop it cuts short.
      if (tally.fatal === undefined || (tally.fatal.kind === "interrupted" && fatal.kind === "interrupted")) tally.fatal = fatal
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

  const watermark = () => acks.watermark(readThrough, tally.messagesBuilt - messagesBatched, firstMessageRow)
  /**
   * This run's watermark, with the rows it did not deliver; a resumed run's own watermark may still
   * be below the one it resumed from (it sends the carried rows first), so those carry over.
   */
  const settledState = () => {
    const mark = watermark()
    const undelivered = new RowRangeSet(acks.undelivered(mark))
    for (const [from, to] of carried.within(mark + 1, skipThrough)) undelivered.add(from, to)
    return { watermark: Math.max(mark, skipThrough), undelivered: undelivered.toArray() }
  }
  let savedState = JSON.stringify({ watermark: skipThrough, undelivered: carried.toArray() })
  const saveCheckpoint = (complete: boolean) =>
    Effect.gen(function* () {
      if (store === undefined) return
      const state = complete ? { watermark: watermark(), undelivered: [] } : settledState()
      const key = JSON.stringify(state)
      if (!complete && key === savedState) return
      const checkpoint: Checkpoint = {
        version: 2,
        sync: namespace,
        fingerprint,
        watermark: state.watermark,
        undelivered: state.undelivered,
        messageIdScheme: MESSAGE_ID_SCHEME,
        complete,
        updatedAt: new Date(yield* Clock.currentTimeMillis).toISOString()
      }
      const saved = yield* Effect.result(store.save(checkpoint))
      if (Result.isFailure(saved)) return yield* abort({ kind: "checkpoint", message: saved.failure.message })
      savedState = key
      tally.checkpoint = {
        location: store.location,
        watermark: state.watermark,
        complete,
        ...(state.undelivered.length === 0 ? {} : { undelivered: state.undelivered })
      }
    })

  /** Settles a batch once, whatever happened to it. */
  const settle = (batch: Batch, outcome: "accepted" | "refused" | "undelivered", reason?: string, status?: number) =>
    Effect.suspend(() => {
      if (!inFlight.delete(batch)) return Effect.void
      for (const message of batch.messages) unsettled.delete(message)
      acks.settle(batch, outcome === "undelivered" ? "failed" : "final")
      const count = batch.messages.length
      const told =
        input.onSettled === undefined
          ? Effect.void
          : input
              .onSettled(batch.messages, outcome === "accepted")
              .pipe(
                Effect.catchTag("StateError", (error) => abort({ kind: "state", message: error.message })),
                Effect.catchDefect((defect) => abort(internalError("telling a settled batch failed", defect)))
              )
      if (outcome === "accepted") {
        tally.messagesAccepted += count
        tally.batchesAccepted++
        return told
      }
      if (outcome === "undelivered") {
        // Only a run-level failure leaves a batch undelivered (write key refused, endpoint
        // unreachable, a stop): one fatal error in the report, with the rows' ranges, and the
        // checkpoint lists them for the next run; the rejects are for rows rejected for what they are.
        tally.messagesUndelivered += count
        tally.batchesUndelivered++
        return told
      }
      tally.messagesRefused += count
      tally.batchesRefused++
      return rejectAll(rejectsOf(batch.messages, "batch-refused", reason!, status)).pipe(Effect.andThen(told))
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
            // The endpoint did not take a batch within the retry budget: it cannot be reached, and
            // every other batch would burn its own budget against it. The batch stays in flight:
            // the stop below settles it with everything else unsent.
            return yield* abort({
              kind: "unreachable",
              message: `the endpoint did not accept a batch within the retry budget (${attempt} attempt${attempt === 1 ? "" : "s"} over ${Math.round((now - firstTry) / 1000)} s, ${decision.by === "time" ? `the budget is ${options.maxRetryMillis / 1000} s` : `at most ${attempt} attempts`}; last: ${describeError(error)}); the run stopped`,
              ...(error.status === undefined ? {} : { status: error.status })
            })
        }
      }
    })

  const dispatchWaiting = Effect.gen(function* () {
    while (waiting.length > 0) {
      const batch = waiting[0]!
      if (options.dryRun) {
        waiting.shift()
        tally.batchesPlanned++
        messagesPlanned += batch.messages.length
        for (const message of batch.messages) unsettled.delete(message)
        continue
      }
      yield* Deferred.await(probe)
      yield* slots.take(1)
      yield* Effect.sync(() => {
        waiting.shift()
        inFlight.add(batch)
        tally.batchesInFlight++
      })
      yield* Effect.forkChild(
        deliver(batch).pipe(
          // A defect (a transport that throws) is a bug: the batch is not confirmed, and the run stops.
          Effect.catchDefect((defect) => {
            const fatal = internalError("delivering a batch failed", defect)
            return settle(batch, "undelivered", `not confirmed delivered: ${fatal.message}`).pipe(Effect.andThen(abort(fatal)))
          }),
          Effect.ensuring(
            Effect.gen(function* () {
              tally.batchesInFlight--
              yield* slots.release(1)
              const failed = tellProgress(yield* Clock.currentTimeMillis)
              if (failed !== undefined) yield* abort(failed)
            })
          )
        )
      )
    }
  })

  const rejectLimitHit = (endOfSource: boolean): FatalError | undefined => {
    const considered = tally.rowsRead - tally.rowsSkipped
    const rejected = tally.rowsRejected
    const sentAny = tally.requests > 0
    const when = sentAny ? "stopped" : "stopped before sending anything"
    if (options.maxRejectedRows !== undefined && rejected > options.maxRejectedRows) {
      return {
        kind: "max-rejects",
        message: `${rejected} rows rejected, over the limit of ${options.maxRejectedRows}: ${when} (see the rejects for why)`
      }
    }
    if (
      options.maxRejectedShare !== undefined &&
      (considered >= options.rejectProbeRows || endOfSource) &&
      considered > 0 &&
      rejected / considered > options.maxRejectedShare
    ) {
      const percent = (n: number) => `${Math.round(n * 1000) / 10}%`
      return {
        kind: "max-rejects",
        message: `${rejected} of ${considered} rows rejected (${percent(rejected / considered)}), over the limit of ${percent(options.maxRejectedShare)}: ${when} (see the rejects for why)`
      }
    }
    return undefined
  }

  /** Reading is over: the reject limit is judged on every row read, and sending may begin. */
  const endOfReading = Effect.suspend(() => {
    if (!limitRejects) return Effect.void
    const hit = rejectLimitHit(true)
    return hit === undefined ? Deferred.succeed(probe, undefined) : abort(hit)
  })

  const rows: Stream.Stream<SourceItem | PreparedRow, SourceError> = input.prepared ?? source.prepare?.(spec, library, columnTypes) ?? source.rows
  // Rows are numbered by content here, in source order (a source's `prepare` builds the ids of the
  // contents); an incremental sync's staged changes are keyed and keep theirs.
  const recounting = input.prepared === undefined && map.countsRepeats
  const read = rows.pipe(
    Stream.runForEachArray((items) => {
      if (stopping) return Effect.fail(new StopReading())
      const messages: Array<BuiltMessage> = []
      const rejects: Array<RejectedRow> = []
      let lastRow = readThrough
      for (const item of items) {
        tally.rowsRead++
        const rowNumber = isMalformed(item) ? item.malformed.rowNumber : item.rowNumber
        lastRow = Math.max(lastRow, rowNumber)
        if (rowNumber <= skipThrough && (carried.size === 0 || !carried.has(rowNumber))) {
          tally.rowsSkipped++
          // Counted all the same, so that the rows after them get the ids of the interrupted run.
          if (recounting && !isMalformed(item)) {
            if (isPrepared(item)) map.recount(item.messages)
            else map(item)
          }
          continue
        }
        if (isMalformed(item)) {
          tally.rowsRejected++
          rejects.push(malformedReject(item.malformed))
          continue
        }
        if (isPrepared(item)) {
          // Built and checked already: an incremental sync's staged changes, or a source's `prepare`.
          const numbered = recounting ? map.recount(item.messages) : { messages: item.messages, repeated: false }
          tally.rowsMapped++
          if (numbered.repeated) tally.rowsRepeated++
          tally.messagesBuilt += numbered.messages.length
          for (const message of numbered.messages) messages.push(message)
          continue
        }
        const mapped = map(item)
        if (mapped.ok) {
          tally.rowsMapped++
          if (mapped.repeated) tally.rowsRepeated++
          tally.messagesBuilt += mapped.messages.length
          for (const message of mapped.messages) messages.push(message)
        } else {
          tally.rowsRejected++
          rejects.push({
            row: rowNumber,
            stage: "validation",
            reason: mapped.reason,
            ...(mapped.column === undefined ? {} : { column: mapped.column }),
            values: item.values
          })
        }
      }
      if (messages.length > 0 && firstMessageRow === Number.POSITIVE_INFINITY) firstMessageRow = messages[0]!.rowNumber
      const limits = Effect.suspend(() => {
        if (!limitRejects) return Effect.void
        const hit = rejectLimitHit(false)
        if (hit !== undefined) return abort(hit)
        return tally.rowsRead - tally.rowsSkipped >= options.rejectProbeRows ? Deferred.succeed(probe, undefined) : Effect.void
      })
      const done = Effect.sync(() => {
        offering = []
        readThrough = lastRow
      })
      if (messages.length === 0) return rejectAll(rejects).pipe(Effect.andThen(limits), Effect.andThen(done))
      offering = messages
      for (const message of messages) unsettled.add(message)
      return rejectAll(rejects).pipe(Effect.andThen(limits), Effect.andThen(Queue.offerAll(queue, messages)), Effect.andThen(done))
    }),
    // A source that fails mid-way still gets what it read delivered; the report says why it ended.
    Effect.catchTag("SourceError", (error) =>
      Effect.sync(() => {
        tally.fatal ??= sourceFailure(error)
      })
    ),
    Effect.catchIf(
      (error): error is StopReading => error instanceof StopReading,
      () => Effect.void
    ),
    // A defect while reading (a source or a step that throws) is never the end of the source: the
    // run fails with it. What was read is still delivered, and the books tell what it cost.
    Effect.catchDefect((defect) =>
      Effect.sync(() => {
        if (tally.fatal === undefined || tally.fatal.kind === "interrupted") tally.fatal = internalError("reading failed", defect)
      })
    ),
    Effect.andThen(endOfReading),
    Effect.ensuring(Queue.end(queue))
  )

  const batchLoop = Effect.gen(function* () {
    const { flushIntervalMillis } = options
    let windowStart = yield* Clock.currentTimeMillis
    const close = (batch: Batch) => {
      acks.register(batch)
      messagesBatched += batch.messages.length
      waiting.push(batch)
    }
    const flushOpen = Effect.gen(function* () {
      // Closed before anything yields: a stop at that yield finds the batch among the waiting.
      const batch = builder.flush()
      if (batch !== undefined) close(batch)
      windowStart = yield* Clock.currentTimeMillis
      if (batch !== undefined) yield* dispatchWaiting
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
      for (const message of taken) for (const batch of builder.add(message)) close(batch)
      if (waiting.length > closedBefore) windowStart = yield* Clock.currentTimeMillis
      yield* dispatchWaiting
    }
    yield* flushOpen
    // Every slot back means every delivery fiber has settled its batch.
    yield* slots.take(options.maxInFlight)
    yield* slots.release(options.maxInFlight)
  })

  const ticker = Effect.gen(function* () {
    const every = Math.min(listener.intervalMillis, options.checkpointIntervalMillis)
    let lastProgress = 0
    while (true) {
      yield* Effect.sleep(every)
      const now = yield* Clock.currentTimeMillis
      yield* saveCheckpoint(false)
      if (now - lastProgress >= listener.intervalMillis) {
        lastProgress = now
        const failed = tellProgress(now)
        if (failed !== undefined) yield* abort(failed)
      }
    }
  })

  const pipeline = Effect.gen(function* () {
    yield* Effect.forkChild(ticker)
    const reader = yield* Effect.forkChild(read)
    if (input.stop !== undefined) {
      const requests = input.stop
      yield* Effect.forkChild(
        Effect.gen(function* () {
          yield* requests.drain
          stopping = true
          tally.fatal ??= {
            kind: "interrupted",
            message: "stopped on request: reading stopped, what was queued and in flight was flushed"
          }
          // Waiting on the source holds no message: safe to cut. Waiting on a full queue is not:
          // the reader sees `stopping` once its rows are in.
          if (offering.length === 0) {
            yield* Fiber.interrupt(reader)
            // Cut before it could judge the reject limit: judge it on what was read, so that the
            // flush is not held back waiting for rows that will not come.
            yield* endOfReading
          }
          yield* Effect.sleep(options.drainTimeoutMillis)
          yield* abort({ kind: "interrupted", message: `stopped on request; the flush took over ${options.drainTimeoutMillis} ms` })
        })
      )
      yield* Effect.forkChild(
        Effect.gen(function* () {
          yield* requests.now
          yield* abort({ kind: "interrupted", message: "stopped at once on request" })
        })
      )
    }
    yield* batchLoop
    yield* Fiber.await(reader)
  })

  yield* Effect.raceFirst(pipeline, Deferred.await(stop)).pipe(
    // Anything else unexpected stops the run at once as an internal error: never a normal end.
    Effect.catchDefect((defect) => abort(internalError("the pipeline failed", defect)))
  )

  if (yield* Deferred.isDone(stop)) {
    // Stopped at once: whatever was read but not acknowledged is reported as undelivered.
    const reason = `not confirmed delivered: the run stopped (${tally.fatal?.message ?? "stopped"})`
    for (const batch of [...inFlight]) yield* settle(batch, "undelivered", reason)
    // What is left unsettled was queued, batched or waiting for a slot: never sent, or not confirmed.
    const leftovers = [...unsettled]
    // Nothing more will be sent: what was not delivered is listed, so the watermark can pass it
    // and the next run sends only those rows and the rest.
    for (const batch of waiting) acks.settle(batch, "failed")
    acks.abandon(leftovers.map((message) => message.rowNumber))
    messagesBatched = tally.messagesBuilt
    tally.messagesUndelivered += leftovers.length
  }
  if (tally.messagesUndelivered > 0) tally.undeliveredRows = acks.allUndelivered()
  balanceBooks()
  yield* saveCheckpoint(tally.fatal === undefined && tally.messagesUndelivered === 0)
  return yield* finish
})

/** An unexpected error (a bug) as a fatal error of the run. */
const internalError = (what: string, defect: unknown): FatalError => ({
  kind: "internal",
  message: `${what}: ${oneLineError(defect)}`
})

export type { DeliveryReport }
