import { describe, expect, it } from "vitest"
import type { BuiltMessage } from "../map/BuiltMessage.ts"
import { compileMapper } from "../map/MessageMapper.ts"
import { MAX_PROFILED_PROPERTIES, type NumericProfile, QUANTILE_POINTS } from "../report/RunProfile.ts"
import { SyncSpec } from "../spec/SyncSpec.ts"
import { PROFILE_ALL_UP_TO, PropertyProfiler, QUANTILE_RELATIVE_ACCURACY } from "./PropertyProfiler.ts"

const library = { name: "test", version: "0" }

/** Messages as the run maps them, from rows. */
const messagesOf = (spec: Record<string, unknown>, rows: ReadonlyArray<Record<string, unknown>>): Array<BuiltMessage> => {
  const map = compileMapper(SyncSpec.parse(spec), library)
  return rows.flatMap((values, i) => {
    const mapped = map({ rowNumber: i + 1, values })
    if (!mapped.ok) throw new Error(mapped.reason)
    return [...mapped.messages]
  })
}

/** The exact quantile of sorted values at a rank in [0, 1] (lower nearest rank). */
const exactQuantile = (sorted: ReadonlyArray<number>, rank: number) => sorted[Math.floor(rank * (sorted.length - 1))]!

describe("PropertyProfiler", () => {
  it("gives every quantile of a numeric property within the sketch's relative accuracy, with exact count, min, max and mean", () => {
    let state = 42
    const random = () => {
      state = (state * 1_103_515_245 + 12_345) % 2_147_483_648
      return state / 2_147_483_648
    }
    const scores = Array.from({ length: PROFILE_ALL_UP_TO }, () => Math.round((0.001 + random() ** 2) * 1e6) / 1e6)
    const rows = scores.map((churn_score, i) => ({ id: `c${i}`, churn_score, tier: i % 3 === 0 ? "gold" : "silver" }))
    // Every tenth row without a score: counted as missing.
    const withGaps = rows.map((row, i) => (i % 10 === 9 ? { id: row.id, churn_score: null, tier: row.tier } : row))
    const profiler = new PropertyProfiler()
    profiler.observe(messagesOf({ event: "Scored", customerId: "id" }, withGaps))
    expect(profiler.sample).toEqual({ messages: scores.length, profiled: scores.length })
    const [score, tier] = profiler.profiles()
    const present = scores.filter((_, i) => i % 10 !== 9)
    const sorted = [...present].sort((a, b) => a - b)
    expect(score).toMatchObject({
      kind: "numeric",
      path: "properties.churn_score",
      count: present.length,
      missing: scores.length - present.length
    })
    const numeric = score as NumericProfile
    expect(numeric.min).toBe(sorted[0])
    expect(numeric.max).toBe(sorted.at(-1))
    expect(numeric.mean).toBeCloseTo(present.reduce((sum, value) => sum + value, 0) / present.length, 9)
    expect(numeric.quantiles).toHaveLength(QUANTILE_POINTS)
    numeric.quantiles.forEach((value, i) => {
      const exact = exactQuantile(sorted, i / (QUANTILE_POINTS - 1))
      // DDSketch's guarantee, for the value at the rank it picks (a neighbour rank at most).
      const neighbours = [exact, sorted[Math.min(sorted.length - 1, Math.ceil((i / (QUANTILE_POINTS - 1)) * (sorted.length - 1)))]!]
      expect(neighbours.some((near) => Math.abs(value - near) <= QUANTILE_RELATIVE_ACCURACY * Math.abs(near) + 1e-12)).toBe(true)
      if (i > 0) expect(value).toBeGreaterThanOrEqual(numeric.quantiles[i - 1]!)
    })
    expect(tier).toEqual({
      kind: "categorical",
      path: "properties.tier",
      count: scores.length,
      missing: 0,
      top: [
        { value: "silver", count: rows.filter((row) => row.tier === "silver").length },
        { value: "gold", count: rows.filter((row) => row.tier === "gold").length }
      ],
      capped: false
    })
  })

  it("past PROFILE_ALL_UP_TO messages reads a sample, and its scaled figures stay close to the true ones", () => {
    const total = 300_000
    const segments = ["champions", "loyal", "new", "lost"]
    const messages: Array<BuiltMessage> = []
    const values: Array<number> = []
    for (let i = 0; i < total; i++) {
      // A periodic column (one segment in four rows): a sample at a fixed stride would see one segment only.
      const score = ((i * 7_919) % 10_000) / 10_000 + 0.001
      values.push(score)
      const json = `{"type":"track","userId":"u${i}","event":"E","properties":{"score":${score},"segment":"${segments[i % 4]}"${i % 5 === 0 ? "" : ',"ltv":1'}},"messageId":"m${i}"}`
      messages.push({ rowNumber: i + 1, type: "track", messageId: `m${i}`, json, bytes: json.length })
    }
    const profiler = new PropertyProfiler()
    for (let i = 0; i < total; i += 500) profiler.observe(messages.slice(i, i + 500))
    const { messages: seen, profiled } = profiler.sample
    expect(seen).toBe(total)
    // About PROFILE_ALL_UP_TO × (1 + ln(total / PROFILE_ALL_UP_TO)) messages read.
    expect(profiled).toBeLessThan(PROFILE_ALL_UP_TO * (1.2 + Math.log(total / PROFILE_ALL_UP_TO)))
    expect(profiled).toBeGreaterThan(PROFILE_ALL_UP_TO * (0.8 + Math.log(total / PROFILE_ALL_UP_TO)))
    const [score, segment, ltv] = profiler.profiles()
    expect(score).toMatchObject({ count: total, missing: 0 })
    const sorted = [...values].sort((a, b) => a - b)
    const numeric = score as NumericProfile
    for (const rank of [0.1, 0.25, 0.5, 0.75, 0.9]) {
      const at = numeric.quantiles[Math.round(rank * (QUANTILE_POINTS - 1))]!
      // Within the sketch's accuracy of a value within 2 percentiles of the true rank.
      expect(at).toBeGreaterThanOrEqual(exactQuantile(sorted, rank - 0.02) * (1 - QUANTILE_RELATIVE_ACCURACY))
      expect(at).toBeLessThanOrEqual(exactQuantile(sorted, rank + 0.02) * (1 + QUANTILE_RELATIVE_ACCURACY))
    }
    expect(numeric.mean).toBeCloseTo(values.reduce((sum, value) => sum + value, 0) / total, 2)
    expect(segment?.kind === "categorical" && segment.top.map(({ value }) => value).sort()).toEqual([...segments].sort())
    for (const { count } of segment?.kind === "categorical" ? segment.top : []) expect(Math.abs(count - total / 4)).toBeLessThan(total * 0.02)
    expect(Math.abs(ltv!.count - (total * 4) / 5)).toBeLessThan(total * 0.02)
    expect(ltv!.count + ltv!.missing).toBe(total)
  })

  it("profiles nested leaf paths of traits, identify and track apart, and counts values of another kind", () => {
    const rows = [
      { id: "a", "rfm.recency": 3, "rfm.segment": "champion", plan: 1 },
      { id: "b", "rfm.recency": 10, "rfm.segment": "at risk", plan: "pro" },
      { id: "c", "rfm.recency": "soon", "rfm.segment": "champion", plan: 2 }
    ]
    const profiler = new PropertyProfiler()
    profiler.observe(messagesOf({ type: "both", event: "RFM", customerId: "id", nest: true }, rows))
    const byPath = new Map(profiler.profiles().map((profile) => [profile.path, profile]))
    expect([...byPath.keys()]).toEqual([
      "traits.rfm.recency",
      "traits.rfm.segment",
      "traits.plan",
      "properties.rfm.recency",
      "properties.rfm.segment",
      "properties.plan"
    ])
    expect(byPath.get("traits.rfm.recency")).toMatchObject({ kind: "numeric", count: 2, missing: 0, mismatched: 1, min: 3, max: 10 })
    expect(byPath.get("properties.plan")).toMatchObject({ kind: "numeric", count: 2, mismatched: 1 })
    expect(byPath.get("properties.rfm.segment")).toMatchObject({
      kind: "categorical",
      count: 3,
      // "at risk" was seen once: not kept.
      top: [{ value: "champion", count: 2 }]
    })
  })

  it("profiles at most MAX_PROFILED_PROPERTIES paths, first seen first, and counts the others", () => {
    const row = Object.fromEntries([["id", "x"], ...Array.from({ length: 50 }, (_, i) => [`p${i}`, i])])
    const profiler = new PropertyProfiler()
    profiler.observe(messagesOf({ event: "Wide", customerId: "id" }, [row, row]))
    const profiles = profiler.profiles()
    expect(profiles.map((profile) => profile.path)).toEqual(Array.from({ length: MAX_PROFILED_PROPERTIES }, (_, i) => `properties.p${i}`))
    expect(profiler.leftOut).toBe(50 - MAX_PROFILED_PROPERTIES)
  })

  it("cuts long text to 64 characters, and keeps no value seen once", () => {
    const rows = Array.from({ length: 500 }, (_, i) => ({ id: `u${i}`, note: `${"n".repeat(80)}-${i}`, email: `u${i}@example.com` }))
    const profiler = new PropertyProfiler()
    profiler.observe(messagesOf({ event: "Noted", customerId: "id" }, rows))
    const [note, email] = profiler.profiles()
    expect(note).toMatchObject({ kind: "categorical", top: [{ value: "n".repeat(64), count: 500 }], capped: false })
    // Each address seen once: none is kept.
    expect(email).toMatchObject({ kind: "categorical", count: 500, capped: true, top: [] })
  })
})
