import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { alertBody } from "./AlertPayload.ts"
import type { AlertSettings } from "./AlertSettings.ts"
import type { RunAlert } from "./RunAlert.ts"

/** Why a webhook did not take an alert: `status` when it answered, else the network's words. */
export class WebhookError extends Schema.TaggedError<WebhookError>()("WebhookError", {
  status: Schema.optional(Schema.Number),
  /** Secret-free: never the URL. */
  message: Schema.String
}) {}

/** Posts one body to a webhook and gives the status of a 2xx answer; fails with WebhookError otherwise. */
export interface WebhookPoster {
  readonly post: (url: string, body: string) => Effect.Effect<number, WebhookError>
}

/** How hard a notifier tries: backoff between attempts, and the most the whole delivery may take. */
export interface NotifyTiming {
  /** The first wait between attempts; doubled each time, capped at `maxDelayMillis`. */
  readonly initialDelayMillis: number
  readonly maxDelayMillis: number
  /** The longest one attempt may take. */
  readonly attemptTimeoutMillis: number
  /** The most the whole delivery (attempts and waits) may take; then it gives up. */
  readonly totalBudgetMillis: number
}

/** About ten seconds at most at the end of a run: an alert must never hold a scheduler's slot for long. */
export const DEFAULT_NOTIFY_TIMING: NotifyTiming = {
  initialDelayMillis: 500,
  maxDelayMillis: 4_000,
  attemptTimeoutMillis: 5_000,
  totalBudgetMillis: 10_000
}

/** What became of an alert: sent (and the status), or given up (and why). Never a failure of the run. */
export type NotifyResult =
  | { readonly sent: true; readonly status: number; readonly attempts: number }
  | { readonly sent: false; readonly attempts: number; readonly reason: string }

/** 408, 429 and 5xx may pass on a later try, as may a network error; any other answer will not. */
const retryable = (error: WebhookError): boolean =>
  error.status === undefined || error.status === 408 || error.status === 429 || error.status >= 500

const reasonOf = (error: WebhookError): string => (error.status === undefined ? error.message : `HTTP ${error.status}`)

/**
 * Sends an alert, retrying with exponential backoff within the timing's total budget. Time is
 * Effect's Clock (the TestClock in tests). It cannot fail: an alert that does not go through is a
 * result, for the caller to warn about.
 */
export const sendAlert = (
  alert: RunAlert,
  settings: Pick<AlertSettings, "url" | "format">,
  poster: WebhookPoster,
  timing: NotifyTiming = DEFAULT_NOTIFY_TIMING
): Effect.Effect<NotifyResult> =>
  Effect.gen(function* () {
    const body = alertBody(alert, settings.format)
    const start = yield* Clock.currentTimeMillis
    let delay = timing.initialDelayMillis
    for (let attempt = 1; ; attempt++) {
      const left = timing.totalBudgetMillis - ((yield* Clock.currentTimeMillis) - start)
      const answer = yield* poster.post(settings.url, body).pipe(
        Effect.timeoutOption(Math.max(1, Math.min(timing.attemptTimeoutMillis, left))),
        Effect.map(Option.match({ onNone: () => new WebhookError({ message: "no answer in time" }), onSome: (status) => status })),
        Effect.catch((error: WebhookError) => Effect.succeed(error))
      )
      if (typeof answer === "number") return { sent: true, status: answer, attempts: attempt } as const
      const spent = (yield* Clock.currentTimeMillis) - start
      if (!retryable(answer)) return { sent: false, attempts: attempt, reason: reasonOf(answer) } as const
      if (spent + delay >= timing.totalBudgetMillis) {
        return { sent: false, attempts: attempt, reason: `${reasonOf(answer)}; gave up after ${attempt} attempts` } as const
      }
      yield* Effect.sleep(delay)
      delay = Math.min(delay * 2, timing.maxDelayMillis)
    }
  })

/** The one line a CLI prints when an alert did not go through: the webhook's origin only, never its path or query. */
export const notifyWarning = (result: NotifyResult & { readonly sent: false }, origin: string): string =>
  `the alert to ${origin} was not sent (${result.reason}); the run's result is unchanged`

/**
 * A poster on the platform's `fetch` (Node 18+, Workers). Redirects are not followed: a webhook
 * that moves is an error to fix, not a place to send a run's summary blindly.
 */
export const fetchPoster: WebhookPoster = {
  post: (url, body) =>
    Effect.tryPromise({
      try: (signal) =>
        fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body, signal, redirect: "manual" }).then(
          async (response) => {
            // The body is read and dropped so the connection is released; its words are the receiver's, not ours to show.
            await response.arrayBuffer().catch(() => undefined)
            return response
          }
        ),
      catch: (error) => new WebhookError({ message: networkWords(error) })
    }).pipe(
      Effect.flatMap((response) =>
        response.status >= 200 && response.status < 300
          ? Effect.succeed(response.status)
          : Effect.fail(new WebhookError({ status: response.status, message: `HTTP ${response.status}` }))
      )
    )
}

/** A network error's code (ECONNREFUSED, ENOTFOUND, ...) rather than its message, which may quote the URL. */
const networkWords = (error: unknown): string => {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause
  if (typeof cause?.code === "string") return cause.code
  if (error instanceof Error && error.name === "AbortError") return "aborted"
  return "network error"
}
