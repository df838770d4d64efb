import { assert, describe, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { TestClock } from "effect/testing"
import type { RunAlert } from "./RunAlert.ts"
import { DEFAULT_NOTIFY_TIMING, notifyWarning, sendAlert, WebhookError, type WebhookPoster } from "./Notifier.ts"

const alert: RunAlert = { trigger: "failure", sync: "churn", outcome: "aborted", exitCode: 6, dryRun: false }
const settings = { url: "https://hooks.example.test/services/T0/B0/secret-token", format: "json" as const }

/** A webhook answering from a script of answers (status, or undefined for a network error), noting when each attempt came. */
const scriptedPoster = (answers: ReadonlyArray<number | undefined | "hang">) => {
  const attemptsAt: Array<number> = []
  const bodies: Array<string> = []
  const poster: WebhookPoster = {
    post: (_url, body) =>
      Effect.gen(function* () {
        attemptsAt.push(yield* Clock.currentTimeMillis)
        bodies.push(body)
        const answer = answers[Math.min(attemptsAt.length - 1, answers.length - 1)]
        if (answer === "hang") return yield* Effect.never
        if (answer === undefined) return yield* Effect.fail(new WebhookError({ message: "ECONNREFUSED" }))
        if (answer >= 300) return yield* Effect.fail(new WebhookError({ status: answer, message: `HTTP ${answer}` }))
        return answer
      })
  }
  return { poster, attemptsAt, bodies }
}

/** Runs a delivery on the TestClock, moving time on until it ends; gives its result and the time it took. */
const deliver = (poster: WebhookPoster) =>
  Effect.gen(function* () {
    const start = yield* Clock.currentTimeMillis
    const fiber = yield* Effect.forkChild(sendAlert(alert, settings, poster))
    for (let i = 0; i < 1_000 && fiber.pollUnsafe() === undefined; i++) yield* TestClock.adjust(100)
    const result = yield* Fiber.join(fiber)
    return { result, took: (yield* Clock.currentTimeMillis) - start }
  })

describe("sendAlert", () => {
  it.effect("retries a 500 with doubling waits, and succeeds when the webhook recovers", () =>
    Effect.gen(function* () {
      const webhook = scriptedPoster([500, 503, 200])
      const { result } = yield* deliver(webhook.poster)
      assert.deepStrictEqual(result, { sent: true, status: 200, attempts: 3 })
      const gaps = webhook.attemptsAt.slice(1).map((at, i) => at - webhook.attemptsAt[i]!)
      assert.isAtLeast(gaps[0]!, 500)
      assert.isAtLeast(gaps[1]!, 1_000)
      assert.deepStrictEqual(JSON.parse(webhook.bodies[0]!).trigger, "failure")
    })
  )

  it.effect("a webhook that is down is given up within the total budget, as a result, not a failure", () =>
    Effect.gen(function* () {
      const webhook = scriptedPoster([undefined])
      const { result, took } = yield* deliver(webhook.poster)
      assert.strictEqual(result.sent, false)
      assert.isAtLeast(webhook.attemptsAt.length, 3)
      assert.isAtMost(took, DEFAULT_NOTIFY_TIMING.totalBudgetMillis + 100)
      if (!result.sent) assert.include(result.reason, "ECONNREFUSED")
    })
  )

  it.effect("a webhook that never answers costs at most the total budget", () =>
    Effect.gen(function* () {
      const webhook = scriptedPoster(["hang"])
      const { result, took } = yield* deliver(webhook.poster)
      assert.strictEqual(result.sent, false)
      assert.isAtMost(took, DEFAULT_NOTIFY_TIMING.totalBudgetMillis + 100)
      if (!result.sent) assert.include(result.reason, "no answer in time")
    })
  )

  it.effect("a 404 is not retried: another try would not pass", () =>
    Effect.gen(function* () {
      const webhook = scriptedPoster([404])
      const { result } = yield* deliver(webhook.poster)
      assert.deepStrictEqual(result, { sent: false, attempts: 1, reason: "HTTP 404" })
    })
  )

  it("the warning names the webhook's origin only", () => {
    const line = notifyWarning({ sent: false, attempts: 3, reason: "HTTP 500" }, "https://hooks.example.test")
    assert.include(line, "https://hooks.example.test")
    assert.notInclude(line, "secret-token")
  })
})
