import type { Context } from "hono"
import type { AppEnv } from "./AppEnv.ts"
import type { EdgePlatform } from "./EdgePlatform.ts"
import { parseRunRequest, strictQueryParameter } from "./RunRequest.ts"
import { runEdgeEffect } from "./EffectBridge.ts"
import { statusOfReport } from "./ErrorAnswer.ts"
import { checkBeforeQueueing, checkWriteKey, runLogFields, runModeOf, writeKeyFor } from "./RunPolicy.ts"
import { runRows } from "./RunSync.ts"
import { planInForce } from "./EdgeTrackingPlan.ts"
import { runSettingsOf, syncRunOf } from "./history/EdgeRun.ts"
import { deliverAlert } from "./notify/AlertDelivery.ts"
import { alertSettingsOf, NotifyHeader } from "./notify/EdgeNotify.ts"
import { edgeRunTelemetry } from "./telemetry/EdgeTelemetry.ts"
import { exitCodeOfReport } from "@tablecast/core"
import { alertOfReport } from "@tablecast/core/notify"

/** Work to finish after the answer: the Worker's `waitUntil`; on Node a promise left to settle (it never rejects). */
const afterAnswer = (c: Context<AppEnv>, work: Promise<unknown>): void => {
  const settled = work.catch(() => {})
  try {
    c.executionCtx.waitUntil(settled)
  } catch {
    // No execution context (Node, or a test calling app.request): the process stays up for it.
  }
}

/**
 * `POST /v1/runs`: parses the request, lets the run policy decide (write key, mode, checks before
 * queueing, answer status), and runs it now or queues it. Only composes: each decision is in
 * `RunPolicy`, the parsing in `RunRequest`, the run in `RunSync` or the platform's queued runs,
 * the answer's status in `ErrorAnswer`.
 */
export const postRun =
  <Bindings extends object>(platform: EdgePlatform<Bindings>) =>
  async (c: Context<AppEnv>): Promise<Response> => {
    const config = c.get("config")
    const log = c.get("log")
    const queued = platform.queuedRuns?.(c.env as Bindings, config)
    const request = await parseRunRequest(
      {
        contentType: c.req.header("content-type"),
        query: (name) => strictQueryParameter(c.req.url, name),
        header: (name) => c.req.header(name),
        contentLength: c.req.header("content-length"),
        // Read as a stream by the parsers, which enforce MAX_BODY_BYTES and the row limits as they go.
        body: () => c.req.raw.body
      },
      config.limits,
      config.allowWriteKeyHeader,
      queued !== undefined
    )
    // Checked before anything runs: a header at fault is a 400, not a run without its alert.
    const notify = alertSettingsOf(config.notify, c.req.header(NotifyHeader))
    // The spec's plan, else the deployment's: a mode with no plan is a 400 before anything runs.
    const trackingPlan = planInForce(request.trackingPlan, config.trackingPlan)
    const writeKey = writeKeyFor(request, config)
    const mode = runModeOf(request, config.limits, queued !== undefined)
    const endpoint = platform.endpoint(config)
    const runId = crypto.randomUUID()
    const requestId = c.get("requestId")

    if (mode === "queue" && queued !== undefined) {
      checkBeforeQueueing(request, writeKey)
      const accepted = await queued.start({
        runId,
        request,
        writeKey: request.writeKey,
        endpoint,
        trigger: "edge",
        ...(notify === undefined ? {} : { notify })
      })
      log.info("run.queued", { requestId, runId, format: request.format, rows: accepted.rows, chunks: accepted.chunks })
      const status = `/v1/runs/${runId}`
      c.header("Location", status)
      return c.json({ runId, state: "queued", rows: accepted.rows, chunks: accepted.chunks, status }, 202)
    }

    checkWriteKey(writeKey)
    const telemetry = await edgeRunTelemetry(c.env, { runId, syncName: request.spec.name, trigger: "edge" }, platform.runtime)
    const report = await runEdgeEffect(
      runRows({
        spec: request.spec,
        options: request.options,
        rows: request.rows,
        description: `${request.format} request ${runId}`,
        fingerprint: `request:${runId}`,
        transport: platform.transport({ writeKey, config }),
        ...(trackingPlan === undefined ? {} : { trackingPlan }),
        ...(telemetry === undefined ? {} : { instrument: telemetry.instrument })
      })
    ).finally(() => {
      // The last export happens after the answer (Workers: waitUntil), so a slow collector never delays it.
      if (telemetry !== undefined) afterAnswer(c, telemetry.flush())
    })
    log.info("run.finished", { requestId, runId, mode: "sync", format: request.format, ...runLogFields(report) })
    platform.metrics?.run(report)
    const history = platform.runHistory?.(c.env as Bindings, config)
    if (history !== undefined) {
      const settings = runSettingsOf(request.options, { mode: "sync", format: request.format })
      // The run is done and answered either way: the history is a record, not part of delivery.
      await history
        .add(syncRunOf(report, { runId, trigger: "edge", settings }))
        .catch((error: unknown) => log.warn("history.failed", { requestId, runId, error: error instanceof Error ? error.name : "unknown" }))
    }
    const alert = notify === undefined ? undefined : alertOfReport(report, exitCodeOfReport(report), notify)
    if (alert !== undefined && notify !== undefined) {
      // After the answer: the caller has its report, and the alert's retries do not hold it up.
      afterAnswer(c, deliverAlert(alert, notify, log, { runId }))
    }
    c.header("X-Tablecast-Outcome", report.outcome)
    return c.json({ runId, ...report }, statusOfReport(report))
  }
