import { describe, expect, it } from "vitest"
import { Defaults } from "../spec/Limits.ts"
import { decideRetry } from "./RetryPolicy.ts"
import { TransportError } from "./Transport.ts"

const settings = {
  maxRetryMillis: Defaults.maxRetryMillis,
  backoffBaseMillis: Defaults.backoffBaseMillis,
  backoffCapMillis: Defaults.backoffCapMillis
}
const error = (kind: TransportError["kind"], retryable: boolean, retryAfterMillis?: number) =>
  new TransportError({ kind, retryable, message: kind, ...(retryAfterMillis === undefined ? {} : { retryAfterMillis }) })

describe("decideRetry", () => {
  it("backs off exponentially from 0.5 s with jitter in [d/2, d], capped", () => {
    const server = error("server", true)
    expect(decideRetry(server, 1, 0, settings, 0)).toEqual({ _tag: "Retry", delayMillis: 250, pauseAll: false })
    expect(decideRetry(server, 1, 0, settings, 0.999_999)).toEqual({ _tag: "Retry", delayMillis: 500, pauseAll: false })
    expect(decideRetry(server, 3, 0, settings, 0.999_999)).toMatchObject({ delayMillis: 2_000 })
    expect(decideRetry(server, 9, 0, settings, 0.999_999)).toMatchObject({ delayMillis: 30_000 })
  })

  it("honours Retry-After and pauses every sender on a throttle", () => {
    expect(decideRetry(error("throttled", true, 7_000), 1, 0, settings, 0.5)).toEqual({
      _tag: "Retry",
      delayMillis: 7_000,
      pauseAll: true
    })
  })

  it("stops on auth errors, refused batches, and when attempts or time run out", () => {
    expect(decideRetry(error("auth", false), 1, 0, settings, 0)).toEqual({ _tag: "Stop", reason: "auth" })
    expect(decideRetry(error("rejected", false), 1, 0, settings, 0)).toEqual({ _tag: "Stop", reason: "refused" })
    expect(decideRetry(error("network", true), 10, 0, { ...settings, maxAttempts: 10 }, 0)).toEqual({
      _tag: "Stop",
      reason: "exhausted",
      by: "attempts"
    })
    expect(decideRetry(error("timeout", true), 2, 599_900, settings, 0.5)).toEqual({ _tag: "Stop", reason: "exhausted", by: "time" })
  })

  it("by default, the time budget binds, not a count of attempts", () => {
    const network = error("network", true)
    // Attempt after attempt fails at once (a refused connection): each waits its backoff, and only
    // the 10 minutes end the retrying. The old cap of 10 attempts ended it after about 71 s.
    let elapsed = 0
    let attempt = 1
    for (; ; attempt++) {
      const decision = decideRetry(network, attempt, elapsed, settings, 0.5)
      if (decision._tag === "Stop") {
        expect(decision).toEqual({ _tag: "Stop", reason: "exhausted", by: "time" })
        break
      }
      expect(decision.delayMillis).toBeLessThanOrEqual(Defaults.backoffCapMillis)
      elapsed += decision.delayMillis
    }
    expect(elapsed).toBeGreaterThan(Defaults.maxRetryMillis - Defaults.backoffCapMillis)
    expect(elapsed).toBeLessThanOrEqual(Defaults.maxRetryMillis)
    expect(attempt).toBeGreaterThan(10)
  })
})
