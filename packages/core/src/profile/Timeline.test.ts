import { describe, expect, it } from "vitest"
import type { ProgressSnapshot } from "../report/Progress.ts"
import { MAX_TIMELINE_POINTS, Timeline } from "./Timeline.ts"

const snapshotAt = (second: number): ProgressSnapshot => ({
  rowsRead: second * 100,
  rowsRejected: 0,
  messagesBuilt: second * 100,
  messagesAccepted: second * 90,
  messagesFailed: 0,
  messagesQueued: 10,
  batchesInFlight: 2,
  retries: Math.floor(second / 10),
  throttled: Math.floor(second / 20),
  estimatedRows: undefined,
  elapsedMillis: second * 1_000
})

describe("Timeline", () => {
  it("keeps every snapshot of a short run, on the run's clock", () => {
    const timeline = new Timeline()
    const start = 1_700_000_000_000
    for (let second = 0; second <= 10; second++) timeline.observe(snapshotAt(second), start + second * 1_000)
    const points = timeline.points(start)
    expect(points).toHaveLength(11)
    expect(points[3]).toEqual({ atMillis: 3_000, rowsRead: 300, messagesAccepted: 270, inFlight: 2, retries: 0, throttled: 0, queued: 10 })
  })

  it("keeps at most MAX_TIMELINE_POINTS of a long run, spread over the whole run, the last snapshot last", () => {
    const timeline = new Timeline()
    const seconds = 7_200
    for (let second = 0; second <= seconds; second++) timeline.observe(snapshotAt(second), second * 1_000)
    const points = timeline.points(0)
    expect(points.length).toBeLessThanOrEqual(MAX_TIMELINE_POINTS)
    expect(points.length).toBeGreaterThan(MAX_TIMELINE_POINTS / 2)
    expect(points[0]!.atMillis).toBe(0)
    expect(points.at(-1)).toMatchObject({ atMillis: seconds * 1_000, rowsRead: seconds * 100, throttled: seconds / 20 })
    // Evenly spread: no gap is more than twice the mean gap.
    const gaps = points.slice(1).map((point, i) => point.atMillis - points[i]!.atMillis)
    const mean = (seconds * 1_000) / (points.length - 1)
    expect(Math.max(...gaps)).toBeLessThanOrEqual(2 * mean)
  })

  it("passes over snapshots that come closer together than its spacing (one per batch on loopback)", () => {
    const timeline = new Timeline()
    for (let i = 0; i < 1_000; i++) timeline.observe(snapshotAt(0), i)
    expect(timeline.points(0).length).toBeLessThan(30)
  })
})
