// The same seeded generator as the dataset (mulberry32), so a mix drawn from a seed is the same every time.
import { seededRandom } from "./Dataset.ts"

/** What the receiver does with one request under the fault mix. */
export type FaultDraw = "ok" | "429" | "500" | "503" | "reset"

/**
 * The fault mix of issue #16, drawn per request: 10% answered 429 (Retry-After 1 s), 10% 500,
 * 10% 503, 5% connection reset (the socket destroyed with no answer), 65% answered as usual.
 */
export const faultShares: ReadonlyArray<readonly [FaultDraw, number]> = [
  ["429", 0.1],
  ["500", 0.1],
  ["503", 0.1],
  ["reset", 0.05]
]

/** Draws the fault of each request in turn, from a seed: the n-th request gets the same draw on every run. */
export const makeFaultMix = (seed: number): (() => FaultDraw) => {
  const random = seededRandom(seed)
  return () => {
    let roll = random()
    for (const [draw, share] of faultShares) {
      if (roll < share) return draw
      roll -= share
    }
    return "ok"
  }
}
