import { assert, describe, it } from "@effect/vitest"
import { FLOOR_RPS, ThrottleControl } from "./ThrottleControl.ts"

/** `count` requests answered ok, sent `spacing` ms apart from `from`, each answered `rtt` later. */
const okAnswers = (control: ThrottleControl, from: number, count: number, spacing: number, rtt = 50) => {
  for (let i = 0; i < count; i++) control.answered(from + i * spacing, from + i * spacing + rtt)
  return from + count * spacing
}

describe("ThrottleControl", () => {
  it("the first 429 cuts to just under the rate the endpoint let through, its burst allowed for", () => {
    const control = new ThrottleControl(50)
    // 50 req/s from 0; a 20 req/s bucket with a burst of 20 refuses at about 0.67 s.
    const next = okAnswers(control, 0, 33, 20)
    const rate = control.throttled(next, next + 50)
    assert.isDefined(rate)
    assert.closeTo(rate!, 0.95 * (33 / (next / 1_000 + 1)), 0.01)
    assert.isAtLeast(rate!, 17)
    assert.isAtMost(rate!, 20)
    assert.strictEqual(control.cuts, 1)
  })

  it("429s of requests sent before the cut do not cut again", () => {
    const control = new ThrottleControl(50)
    const next = okAnswers(control, 0, 33, 20)
    const cut = control.throttled(next, next + 50)!
    assert.isUndefined(control.throttled(next + 20, next + 70))
    assert.isUndefined(control.throttled(next + 40, next + 90))
    assert.strictEqual(control.rate, cut)
    assert.strictEqual(control.cuts, 1)
  })

  it("a later 429 cuts to the rate let through since the previous cut", () => {
    const control = new ThrottleControl(50)
    let next = okAnswers(control, 0, 33, 20)
    const cutAt = next + 50
    control.throttled(next, cutAt)
    // The estimate was too high for an endpoint that now lets 10 req/s through.
    next = okAnswers(control, cutAt, 100, 100)
    const rate = control.throttled(next, next + 50)
    assert.closeTo(rate!, 0.95 * (100 / ((next - cutAt) / 1_000)), 0.01)
    assert.strictEqual(control.cuts, 2)
  })

  it("a cut that does not lower the share of 429s is undone: random 429s leave the rate where it was", () => {
    const control = new ThrottleControl(50)
    // One 429 in ten, at random, at 50 req/s.
    let at = 0
    let rate50 = 0
    for (let i = 0; i < 600; i++) {
      if (i % 10 === 9) control.throttled(at, at + 50)
      else control.answered(at, at + 50)
      at += 1_000 / control.rate
      if (i >= 500 && control.rate >= 0.8 * 50) rate50++
    }
    assert.isAtLeast(control.undone, 1)
    assert.isAtLeast(control.rate, 0.8 * 50)
    assert.isAtLeast(rate50, 90)
  })

  it("after an undone cut, a 429 share well above the baseline cuts again", () => {
    const control = new ThrottleControl(50)
    let at = 0
    for (let i = 0; i < 200; i++) {
      if (i % 10 === 9) control.throttled(at, at + 50)
      else control.answered(at, at + 50)
      at += 1_000 / control.rate
    }
    assert.strictEqual(control.rate, 50)
    const cutsBefore = control.cuts
    // Now the endpoint also holds to 25 req/s (a bucket of 25, burst 25), on top of the random 429s.
    let tokens = 25
    let last = at
    for (let i = 0; i < 400; i++) {
      tokens = Math.min(25, tokens + ((at - last) * 25) / 1_000)
      last = at
      if (i % 10 === 9 || tokens < 1) control.throttled(at, at + 50)
      else {
        tokens -= 1
        control.answered(at, at + 50)
      }
      at += 1_000 / control.rate
    }
    assert.isAbove(control.cuts, cutsBefore)
    // Near the endpoint's 25 req/s (the random 429s blur the estimate a little), far under 50.
    assert.isBelow(control.rate, 28)
    assert.isAbove(control.rate, 20)
  })

  it("never cuts below the floor", () => {
    const control = new ThrottleControl(50)
    control.answered(0, 50)
    assert.strictEqual(control.throttled(10, 60), FLOOR_RPS)
  })

  it("rises by 5 % every 5 s once 30 s passed without a 429, toward the maximum and no further", () => {
    const control = new ThrottleControl(50)
    const next = okAnswers(control, 0, 33, 20)
    control.throttled(next, next + 50)
    const cut = control.rate
    okAnswers(control, next + 100, 29 * 10, 100)
    assert.strictEqual(control.rate, cut)
    okAnswers(control, next + 30_100, 10, 100)
    assert.closeTo(control.rate, cut * 1.05, 1e-9)
    okAnswers(control, next + 31_100, 30, 100)
    assert.closeTo(control.rate, cut * 1.05, 1e-9)
    okAnswers(control, next + 35_100, 10, 100)
    assert.closeTo(control.rate, cut * 1.05 * 1.05, 1e-9)
    for (let t = 60_000; t < 600_000; t += 1_000) control.answered(t, t + 50)
    assert.strictEqual(control.rate, 50)
  })
})
