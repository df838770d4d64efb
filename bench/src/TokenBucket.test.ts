import { describe, expect, it } from "vitest"
import { makeTokenBucket } from "./TokenBucket.ts"

describe("the token bucket", () => {
  it("lets a full burst through at once, then refuses until time refills it", () => {
    const bucket = makeTokenBucket(20, 20, 0)
    const first = Array.from({ length: 25 }, () => bucket.take(0))
    expect(first.filter(Boolean)).toHaveLength(20)
    expect(first.slice(20)).toEqual([false, false, false, false, false])
    // 20 per second: one token every 50 ms, refilled continuously.
    expect(bucket.take(49)).toBe(false)
    expect(bucket.take(50)).toBe(true)
    expect(bucket.take(50)).toBe(false)
  })

  it("sustains its rate and never holds more than the burst", () => {
    const bucket = makeTokenBucket(20, 20, 0)
    // Ten seconds of a request every 10 ms (100/s): the burst plus 20 per second get through.
    let granted = 0
    for (let at = 0; at < 10_000; at += 10) if (bucket.take(at)) granted++
    expect(granted).toBe(20 + 199)
    // A long pause refills to the burst, not beyond.
    const later = Array.from({ length: 30 }, () => bucket.take(60_000))
    expect(later.filter(Boolean)).toHaveLength(20)
  })
})
