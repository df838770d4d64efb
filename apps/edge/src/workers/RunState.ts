import { type FatalError, reserveSlot } from "@tablecast/core"
import { alertOfReport } from "@tablecast/core/notify"
import { DurableObject } from "cloudflare:workers"
import * as Redacted from "effect/Redacted"
import type { EdgeVars } from "../EdgeConfig.ts"
import { queuedExitCodeOf, queuedReportOf, queuedRunOf } from "../history/EdgeRun.ts"
import { logLevelOf, makeLogger } from "../Log.ts"
import { type AlertOutcome, deliverAlert } from "../notify/AlertDelivery.ts"
import { type ChunkResult, type RunMeta, type RunStatus, summarizeRun } from "../RunStatus.ts"
import { openWriteKey } from "../WriteKeySeal.ts"
import { type RunHistoryBindings, runHistoryStore } from "./WorkerRunHistory.ts"

const chunkKey = (chunk: number): string => `chunk:${String(chunk).padStart(8, "0")}`

/**
 * The state of one queued run, one Durable Object per run id.
 *
 * Why a Durable Object and not KV: consumers finish chunks concurrently, and each finish must be
 * recorded exactly once. A Durable Object runs one call at a time on strongly consistent storage,
 * so "record chunk 17" is atomic and idempotent (a redelivered chunk replaces its own entry) and
 * a status read right after sees it. KV is eventually consistent (a read may miss a write for
 * up to a minute), allows one write per second per key, and has no atomic update: counters kept
 * in KV would lose increments under concurrent consumers.
 *
 * The state holds counts, row numbers and reasons, never row values or the write key, and deletes
 * itself `RUN_RETENTION_HOURS` after the run starts.
 */
/** A run's alert waiting for the alarm that sends it: the trigger fired, and the alert itself (no URL). */
interface PendingAlert {
  readonly state: "sending"
  readonly alert: NonNullable<ReturnType<typeof alertOfReport>>
}

/** Where a queued run's alert stands: waiting for the alarm, or what became of it. */
type StoredAlert = PendingAlert | AlertOutcome

export class RunState extends DurableObject<RunHistoryBindings & EdgeVars> {
  /**
   * The run's request schedule: every consumer of the run reserves each attempt here, so the
   * run's `maxRps` holds across consumers. Kept in memory only: the object handles one call at a
   * time, and if it is evicted the schedule restarts from an empty bucket, at most one burst early.
   */
  private nextRequestSlot = 0

  /** Records a new run. Called once, before its chunks are enqueued. */
  async start(meta: RunMeta, retentionMillis: number): Promise<void> {
    const expiresAt = Date.now() + retentionMillis
    await this.ctx.storage.put({ meta, expiresAt })
    await this.ctx.storage.setAlarm(expiresAt)
  }

  /** Enqueueing stopped part-way: chunks from `fromChunk` on will never arrive. */
  async enqueueFailed(failure: NonNullable<RunMeta["enqueueFailure"]>): Promise<void> {
    const meta = await this.ctx.storage.get<RunMeta>("meta")
    if (meta === undefined) return
    await this.ctx.storage.put("meta", { ...meta, enqueueFailure: failure })
    await this.recordInHistoryIfDone()
  }

  /** Records a chunk's account; a second record of the same chunk replaces the first. */
  async record(result: ChunkResult): Promise<void> {
    if ((await this.ctx.storage.get("meta")) === undefined) return
    const key = chunkKey(result.chunk)
    const again = (await this.ctx.storage.get(key)) !== undefined
    await this.ctx.storage.put(key, result)
    if (!again) await this.ctx.storage.put("recorded", ((await this.ctx.storage.get<number>("recorded")) ?? 0) + 1)
    await this.recordInHistoryIfDone()
  }

  /**
   * Once every chunk is accounted for, the run's alert is queued and its record replaces its
   * "running" entry in the run history. Counted, not listed, until then: a run of 250 chunks would
   * list them 250 times. A chunk recorded again after that records the run again, with the same id.
   */
  private async recordInHistoryIfDone(): Promise<void> {
    const meta = await this.ctx.storage.get<RunMeta>("meta")
    if (meta === undefined) return
    const expected = meta.enqueueFailure?.fromChunk ?? meta.chunks
    if (((await this.ctx.storage.get<number>("recorded")) ?? 0) < expected) return
    const status = await this.status()
    if (status?.state !== "done") return
    await this.queueAlert(meta, status)
    if (meta.history === undefined) return
    // The history is a record, not part of delivery: a failure here must not fail the chunk.
    await runHistoryStore(this.env)
      .finish(queuedRunOf(status, meta.history))
      .catch((error: unknown) =>
        console.log(
          JSON.stringify({
            time: new Date().toISOString(),
            level: "warn",
            event: "history.failed",
            runId: meta.runId,
            error: error instanceof Error ? error.name : "unknown"
          })
        )
      )
  }

  /**
   * Once the run is done, its alert (when a trigger it asked for fired) is handed to the alarm, so
   * sending it — retries included — never holds up the chunk that finished the run, and survives
   * the object being evicted. Decided once: a chunk recorded again does not alert again.
   */
  private async queueAlert(meta: RunMeta, status: RunStatus): Promise<void> {
    if (meta.notify === undefined || (await this.ctx.storage.get("alert")) !== undefined) return
    const alert = alertOfReport(queuedReportOf(status, meta.history?.dryRun ?? false), queuedExitCodeOf(status), meta.notify)
    if (alert === undefined) return
    await this.ctx.storage.put("alert", { state: "sending", alert } satisfies PendingAlert)
    await this.ctx.storage.setAlarm(Date.now())
  }

  /** Sends a pending alert (the alarm's first job), then sets the alarm back to the run's expiry. */
  private async sendPendingAlert(pending: PendingAlert): Promise<void> {
    const meta = await this.ctx.storage.get<RunMeta>("meta")
    const runId = meta?.runId ?? "unknown"
    const log = makeLogger(logLevelOf(this.env.LOG_LEVEL))
    const token = this.env.TABLECAST_TOKEN
    const url =
      meta?.notify === undefined || token === undefined
        ? undefined
        : await openWriteKey(meta.notify.url, Redacted.make(token), runId, "webhook-url-seal/v1")
    let outcome: AlertOutcome
    if (url === undefined || meta?.notify === undefined) {
      outcome = { trigger: pending.alert.trigger, sent: false, attempts: 0, reason: "the webhook URL does not open (TABLECAST_TOKEN changed?)" }
      log.warn("alert.failed", { runId, trigger: outcome.trigger, attempts: 0, reason: outcome.reason })
    } else {
      outcome = await deliverAlert(pending.alert, { url: Redacted.value(url), format: meta.notify.format }, log, { runId })
    }
    await this.ctx.storage.put("alert", outcome)
    await this.ctx.storage.setAlarm((await this.ctx.storage.get<number>("expiresAt")) ?? Date.now())
  }

  /** Stops the run: chunks that come up later are dead-lettered without being sent. */
  async abort(fatal: FatalError): Promise<void> {
    if ((await this.ctx.storage.get("fatal")) === undefined) await this.ctx.storage.put("fatal", fatal)
  }

  /** Why the run stopped, if it did. */
  async fatal(): Promise<FatalError | undefined> {
    return this.ctx.storage.get<FatalError>("fatal")
  }

  /**
   * Reserves the run's next request slot at `rate` requests per second (the caller's current rate:
   * a consumer that heard 429s asks at its lowered rate). Answers when the attempt may start, as
   * milliseconds from now.
   */
  async reserveRequest(rate: number): Promise<number> {
    const reserved = reserveSlot(this.nextRequestSlot, rate, Date.now())
    this.nextRequestSlot = reserved.nextSlot
    return reserved.waitMillis
  }

  async status(): Promise<RunStatus | undefined> {
    const meta = await this.ctx.storage.get<RunMeta>("meta")
    if (meta === undefined) return undefined
    const chunks = await this.ctx.storage.list<ChunkResult>({ prefix: "chunk:" })
    const summary = summarizeRun(meta, [...chunks.values()], await this.ctx.storage.get<FatalError>("fatal"))
    const alert = await this.ctx.storage.get<StoredAlert>("alert")
    return alert === undefined ? summary : { ...summary, alert: "alert" in alert ? { trigger: alert.alert.trigger, state: "sending" } : alert }
  }

  /** A pending alert is sent; otherwise the retention time is up: forget the run. */
  override async alarm(): Promise<void> {
    const alert = await this.ctx.storage.get<StoredAlert>("alert")
    if (alert !== undefined && "alert" in alert) return this.sendPendingAlert(alert)
    await this.ctx.storage.deleteAll()
  }
}
