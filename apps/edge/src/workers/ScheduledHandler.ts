import * as Schema from "effect/Schema"
import * as Redacted from "effect/Redacted"
import { EdgeConfig } from "../EdgeConfig.ts"
import type { EdgePlatform } from "../EdgePlatform.ts"
import { makeLogger } from "../Log.ts"
import { deliverAlert } from "../notify/AlertDelivery.ts"
import { alertSettingsOf } from "../notify/EdgeNotify.ts"
import { alertOfStartFailure } from "@tablecast/core/notify"
import { decideRequestColumnTypes } from "../RequestColumnTypes.ts"
import { RequestError } from "../RequestError.ts"
import { checkBeforeQueueing } from "../RunPolicy.ts"
import { checkSpecAndOptions, type RunRequest } from "../RunRequest.ts"
import { parseScheduledRuns, runsForCron, type ScheduledRun, ScheduledRunsError } from "../scheduled/ScheduledRuns.ts"
import { describeUrl, fetchUrlRows, UrlRowsError } from "../scheduled/UrlRows.ts"
import type { WorkerBindings } from "./WorkerBindings.ts"
import { workerQueuedRuns } from "./WorkerQueuedRuns.ts"

/** A secret binding by name: a string, or undefined when unset (never logged, never echoed). */
const secretOf = (env: WorkerBindings, name: string): string | undefined => {
  const value = (env as unknown as Record<string, unknown>)[name]
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined
}

/** A scheduled run that cannot start: the URL, its rows, the spec or a secret. Said in the log and thrown to mark the trigger failed. */
export class ScheduledRunFailed extends Schema.TaggedError<ScheduledRunFailed>()("ScheduledRunFailed", {
  message: Schema.String
}) {}

/**
 * Starts one scheduled run: fetches its rows from the URL, checks them as a request's rows are
 * checked, and queues them as a large run (the queue consumers deliver them). Answers the run id.
 */
export const startScheduledRun = async (
  run: ScheduledRun,
  env: WorkerBindings,
  platform: Pick<EdgePlatform<WorkerBindings>, "endpoint">
): Promise<{ readonly runId: string; readonly rows: number; readonly chunks: number }> => {
  const config = EdgeConfig.fromEnv(env)
  const where = `SCHEDULED_RUNS "${run.name}"`
  const url = run.url ?? secretOf(env, run.urlSecret!)
  if (url === undefined || !URL.canParse(url) || !/^https?:\/\//.test(url)) {
    throw new ScheduledRunFailed({ message: `${where}: the secret ${run.urlSecret} holds no http(s) URL` })
  }
  const authorization = run.authorizationSecret === undefined ? undefined : secretOf(env, run.authorizationSecret)
  if (run.authorizationSecret !== undefined && authorization === undefined) {
    throw new ScheduledRunFailed({ message: `${where}: the secret ${run.authorizationSecret} is not set` })
  }
  const writeKeyText = run.writeKeySecret === undefined ? undefined : secretOf(env, run.writeKeySecret)
  if (run.writeKeySecret !== undefined && writeKeyText === undefined) {
    throw new ScheduledRunFailed({ message: `${where}: the secret ${run.writeKeySecret} is not set` })
  }
  const ownKey = writeKeyText === undefined ? undefined : Redacted.make(writeKeyText)
  const writeKey = ownKey ?? config.writeKey
  if (writeKey === undefined) throw new ScheduledRunFailed({ message: `${where}: no write key (set SEGMENT_WRITE_KEY or writeKeySecret)` })

  const notify = alertSettingsOf(config.notify, undefined)
  const described = run.url === undefined ? `the URL in secret ${run.urlSecret}` : describeUrl(run.url)
  try {
    // The spec's name defaults to the scheduled run's, so its messageIds and run records say which it is.
    const checked = checkSpecAndOptions({ name: run.name, ...run.spec }, run.options, { spec: `${where} spec`, options: `${where} options` })
    const fetched = await fetchUrlRows({ url, authorization, format: run.format, limits: config.limits, described })
    const columnTypes = decideRequestColumnTypes(fetched.rows.items, fetched.format, fetched.rows.names)
    const request: RunRequest = { ...checked, rows: { ...fetched.rows, columnTypes }, format: fetched.format, mode: "queue", writeKey: ownKey }
    checkBeforeQueueing(request, writeKey)
    const runId = crypto.randomUUID()
    const accepted = await workerQueuedRuns(env, config).start({
      runId,
      request,
      writeKey: ownKey,
      endpoint: platform.endpoint(config),
      source: `${fetched.format} from ${described} (scheduled run ${run.name})`,
      trigger: "cron",
      // The deployment's alert settings (NOTIFY_*): a scheduled run has no request to bring its own.
      ...(notify === undefined ? {} : { notify })
    })
    return accepted
  } catch (error) {
    if (error instanceof UrlRowsError) throw new ScheduledRunFailed({ message: `${where}: ${error.message}` })
    if (error instanceof RequestError) throw new ScheduledRunFailed({ message: `${where}: ${error.message}` })
    throw error
  }
}

/**
 * The Cron Trigger: starts every scheduled run of the cron expression that fired (and those
 * without one), one after another, so one failing does not keep the others from starting. The
 * trigger fails (Cloudflare shows it in the Cron Events) when any did not start.
 */
export const runScheduled = async (
  controller: ScheduledController,
  env: WorkerBindings,
  platform: Pick<EdgePlatform<WorkerBindings>, "endpoint">
): Promise<void> => {
  const config = EdgeConfig.fromEnv(env)
  const log = makeLogger(config.logLevel)
  let runs: ReadonlyArray<ScheduledRun>
  try {
    runs = runsForCron(parseScheduledRuns(env.SCHEDULED_RUNS), controller.cron)
  } catch (error) {
    if (error instanceof ScheduledRunsError) log.error("scheduled.misconfigured", { cron: controller.cron, message: error.message })
    throw error
  }
  if (runs.length === 0) {
    log.warn("scheduled.none", { cron: controller.cron })
    return
  }
  const failed: Array<string> = []
  // One after another: a run's rows are held until they are queued, and an isolate has 128 MB.
  for (const run of runs) {
    try {
      const accepted = await startScheduledRun(run, env, platform)
      log.info("scheduled.queued", { cron: controller.cron, name: run.name, runId: accepted.runId, rows: accepted.rows, chunks: accepted.chunks })
    } catch (error) {
      // Our own messages name the run, the URL without its query and the secrets by name; anything else only by its error name.
      const message =
        error instanceof ScheduledRunFailed ? error.message : `the run could not be started (${error instanceof Error ? error.name : "unknown"})`
      log.error("scheduled.failed", { cron: controller.cron, name: run.name, message })
      failed.push(run.name)
      // A nightly run that did not start is what an alert is for: as the CLI's, exit 6 (the source cannot be opened).
      const notify = alertSettingsOf(config.notify, undefined)
      const alert = notify === undefined ? undefined : alertOfStartFailure({ sync: run.name, exitCode: 6, message }, notify)
      if (alert !== undefined && notify !== undefined) await deliverAlert(alert, notify, log, { runId: `scheduled ${run.name}` })
    }
  }
  if (failed.length > 0) throw new ScheduledRunFailed({ message: `scheduled runs not started: ${failed.join(", ")}` })
}
