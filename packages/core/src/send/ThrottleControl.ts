/** The lowest rate a cut goes to, in requests per second. */
export const FLOOR_RPS = 1
/** A cut sets the rate this far under the endpoint's estimated rate. */
const CUT_MARGIN = 0.95
/** The window of answers the first cut estimates the endpoint's rate from. */
const WINDOW_MILLIS = 10_000
/** A token bucket's burst, in seconds of its rate, assumed by the first cut. */
const ASSUMED_BURST_SECONDS = 1
/** Answers to requests sent after a cut needed before a 429 can judge whether the cut helped. */
const JUDGE_AFTER_ANSWERS = 12
/** After an undone cut: a 429 share this many times the baseline's is a limit again. */
const BASELINE_MULTIPLE = 2
/** The recent answers whose 429 share is compared with the baseline. */
const RECENT_ANSWERS = 50
/** Quiet time (no 429) after which the rate rises toward the maximum, how often and by how much. */
const RECOVER_AFTER_MILLIS = 30_000
const RECOVER_EVERY_MILLIS = 5_000
const RECOVER_STEP = 1.05

interface Cut {
  /** Requests sent from this time on were sent at the cut rate. */
  readonly at: number
  /** The rate before the cut: restored when the cut did not help. */
  readonly rateBefore: number
  /** The share of 429s among the last answers before the cut (up to 50). */
  readonly shareBefore: number
}

/**
 * The request rate after 429s: lowered for every sender when the endpoint says it is over its
 * limit, restored when the 429s turn out not to be about our rate.
 *
 * Why not AIMD: halving at each 429 and adding back slowly either sits far under a token-bucket
 * limit (it saws between half and the limit) or, with 429s that come at random, is driven to the
 * floor. Instead, a 429 says the endpoint's bucket was empty when the refused request reached
 * it, so the requests it let through before tell its rate (counted by when they were sent, so the
 * answers still on their way at a long round trip do not bias the estimate):
 * - the first cut: R̂ = requests answered other than 429 among those sent in the W s (10 s) before
 *   the refused one ÷ (min(W, time sending) + 1 s), the 1 s
 *   being the burst a token bucket usually allows (at 50 req/s, a 20 req/s bucket with a burst of
 *   20 refuses at 0.67 s after about 33 answers: R̂ = 33 ÷ 1.67 ≈ 19.8);
 * - a later cut: R̂ = requests sent since the previous cut and let through ÷ the time from the cut
 *   to the refused request (the bucket was empty at both);
 * and the new rate is min(current, 0.95 × R̂), never under 1 req/s.
 * One cut per epoch: the 429s of requests sent before a cut are the same news and do not cut again.
 * A cut that does not help is undone: when, at a later 429, enough answers came back since the cut
 * and the share of 429s among them is still at least half the share before it, the 429s are not
 * about our rate (random faults, another client). The rate before the cut is restored and that
 * share becomes the baseline: from then on only a recent share (last 50 answers) well above it
 * (2×) cuts again, a cut is judged on the 429s above the baseline, and while a cut holds, 429s at
 * about the baseline's share are taken for the random ones they are.
 * After 30 s without a 429 the rate rises by 5 % every 5 s, toward the maximum, so a passing
 * limit (or a lone 429 early in a run, which cuts hard on little evidence) does not slow the rest of
 * a long run: from a tenth of the maximum back to it in about 4 minutes. Against a lasting limit
 * this probes it about once a minute, at the cost of a 429 or two.
 *
 * Pure: every input carries its time; the caller owns the clock and applies the rate it returns.
 */
export class ThrottleControl {
  #rate: number
  #cuts = 0
  #undone = 0
  #startedAt: number | undefined = undefined
  /** When the requests answered other than 429 were sent, over the last window or so. */
  #okSent: Array<number> = []
  /** The reference of the current epoch: the start, the last cut or the last undo. */
  #epochAt = Number.NEGATIVE_INFINITY
  #epochAnswers = 0
  #epoch429s = 0
  #cut: Cut | undefined = undefined
  #baseline: number | undefined = undefined
  #baselineAnswers = 0
  #baseline429s = 0
  #recent: Array<boolean> = []
  #last429At: number | undefined = undefined
  #lastRaiseAt = Number.NEGATIVE_INFINITY

  constructor(readonly maxRps: number) {
    this.#rate = maxRps
  }

  /** The rate to send at, in requests per second. */
  get rate(): number {
    return this.#rate
  }
  /** Cuts made (undone ones included). */
  get cuts(): number {
    return this.#cuts
  }
  /** Cuts undone because they did not help. */
  get undone(): number {
    return this.#undone
  }

  /** An answer other than a 429 to an attempt sent at `sentAt`. Returns the new rate when it changed. */
  answered(sentAt: number, now: number): number | undefined {
    this.#record(sentAt, false)
    this.#okSent.push(sentAt)
    // Kept for the window and a round trip or so: pruned in bulk, not at every answer.
    if (this.#okSent.length > 4_096 && this.#okSent[0]! < now - 2 * WINDOW_MILLIS) {
      this.#okSent = this.#okSent.filter((at) => at >= now - WINDOW_MILLIS - 1_000)
    }
    return this.#recover(now)
  }

  /** A 429 to an attempt sent at `sentAt`. Returns the new rate when it changed. */
  throttled(sentAt: number, now: number): number | undefined {
    this.#record(sentAt, true)
    this.#last429At = now
    // Sent before the last cut or undo: the same news as the 429 that made it.
    if (sentAt < this.#epochAt) return undefined
    const cut = this.#cut
    if (cut !== undefined) {
      if (this.#epochAnswers < JUDGE_AFTER_ANSWERS) return undefined
      const shareSince = this.#epoch429s / this.#epochAnswers
      // Judged on the 429s above the baseline, when random ones are known to come anyway.
      const base = this.#baseline ?? 0
      if (shareSince - base >= (cut.shareBefore - base) / 2) {
        // The cut did not lower the share of 429s: they are not about our rate.
        this.#undone++
        this.#cut = undefined
        this.#baseline = Math.max(this.#baseline ?? 0, cut.shareBefore, shareSince)
        this.#baselineAnswers = 0
        this.#baseline429s = 0
        this.#recent = []
        this.#newEpoch(now)
        return this.#setRate(cut.rateBefore)
      }
      // 429s at about the baseline's share since the cut: the random ones; the cut holds.
      if (this.#baseline !== undefined && shareSince <= BASELINE_MULTIPLE * base) return undefined
      const passed = this.#okSentBetween(cut.at, sentAt)
      return this.#makeCut(now, passed / Math.max((sentAt - cut.at) / 1_000, 0.001), shareSince)
    }
    if (this.#baseline !== undefined) {
      // 429s come at random at about the baseline's share: cut only when the recent share is well above it.
      const baseline = Math.max(this.#baseline, this.#baseline429s / Math.max(this.#baselineAnswers, 1))
      if (this.#recent.length < RECENT_ANSWERS / 2) return undefined
      if (this.#recentShare() <= BASELINE_MULTIPLE * baseline) return undefined
    }
    const windowStart = sentAt - WINDOW_MILLIS
    const passed = this.#okSentBetween(windowStart, sentAt)
    const sending = Math.min(WINDOW_MILLIS, sentAt - (this.#startedAt ?? sentAt)) / 1_000
    return this.#makeCut(now, passed / (sending + ASSUMED_BURST_SECONDS), this.#recentShare())
  }

  /** The share of 429s among the last answers (up to 50): what a cut is judged against. */
  #recentShare(): number {
    return this.#recent.filter((was429) => was429).length / Math.max(this.#recent.length, 1)
  }

  /** Requests sent in [from, to) that were answered other than 429. */
  #okSentBetween(from: number, to: number): number {
    let count = 0
    for (const at of this.#okSent) if (at >= from && at < to) count++
    return count
  }

  #makeCut(now: number, estimatedRps: number, shareBefore: number): number | undefined {
    const rateBefore = this.#rate
    this.#cuts++
    this.#cut = { at: now, rateBefore, shareBefore }
    this.#newEpoch(now)
    return this.#setRate(Math.max(FLOOR_RPS, Math.min(rateBefore, CUT_MARGIN * estimatedRps)))
  }

  #newEpoch(now: number): void {
    this.#epochAt = now
    this.#epochAnswers = 0
    this.#epoch429s = 0
  }

  #record(sentAt: number, was429: boolean): void {
    this.#startedAt ??= sentAt
    if (sentAt >= this.#epochAt) {
      this.#epochAnswers++
      if (was429) this.#epoch429s++
    }
    if (this.#baseline !== undefined) {
      this.#baselineAnswers++
      if (was429) this.#baseline429s++
    }
    this.#recent.push(was429)
    if (this.#recent.length > RECENT_ANSWERS) this.#recent.shift()
  }

  #recover(now: number): number | undefined {
    if (this.#rate >= this.maxRps || this.#last429At === undefined) return undefined
    if (now - this.#last429At < RECOVER_AFTER_MILLIS || now - this.#lastRaiseAt < RECOVER_EVERY_MILLIS) return undefined
    this.#lastRaiseAt = now
    return this.#setRate(Math.min(this.maxRps, this.#rate * RECOVER_STEP))
  }

  #setRate(rate: number): number | undefined {
    if (rate === this.#rate) return undefined
    this.#rate = rate
    return rate
  }
}
