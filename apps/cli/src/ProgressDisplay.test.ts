import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import type { ProgressSnapshot } from "@tablecast/core"
import { describe, expect, it } from "vitest"
import { progressLine, sendingText } from "./ProgressDisplay.ts"
import { runCli } from "./testing/runCli.ts"
import { sendingSummary } from "./ReportText.ts"

const snapshot: ProgressSnapshot = {
  rowsRead: 1_000,
  rowsRejected: 0,
  messagesBuilt: 1_000,
  messagesAccepted: 900,
  messagesFailed: 0,
  messagesQueued: 100,
  batchesInFlight: 6,
  retries: 2,
  estimatedRows: undefined,
  elapsedMillis: 2_000
}

describe("how the run is sending, as shown", () => {
  it("in progress: in flight of the limit, the request rate limit, the time waited on 429s", () => {
    expect(sendingText({ ...snapshot, concurrencyLimit: 9, rateLimit: 18.8, throttleWaitMillis: 3_200 })).toBe(
      "in flight 6/9 · 18.8 req/s · 429 wait 3 s"
    )
    expect(sendingText({ ...snapshot, concurrencyLimit: 9, rateLimit: 50, throttleWaitMillis: 0 })).toBe("in flight 6/9 · 50 req/s")
    expect(progressLine({ ...snapshot, concurrencyLimit: 4 })).toMatch(/, in flight 6\/4$/)
    expect(sendingText(snapshot)).toBe("")
  })

  it("in the report", () => {
    expect(
      sendingSummary({ throttled: 2, throttleWaitMillis: 2_000, concurrencyLimit: 9, concurrencyLimitPeak: 11, rateLimit: 18.8, rateCuts: 1 })
    ).toBe("at most 9 in flight (peak 11), 18.8 req/s after 1 rate cut; 2 answered 429, 2 s waited on them")
    expect(sendingSummary({ throttled: 0, throttleWaitMillis: 0, concurrencyLimit: 4, concurrencyLimitPeak: 4, rateCuts: 0 })).toBe(
      "at most 4 in flight, no request rate limit"
    )
  })
})

describe("the progress bar of a run (the built CLI, --progress bar)", () => {
  it("ends at 100% of the rows read, however far the estimate was off, with nothing left to wait for", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "tablecast-bar-"))
    // Short lines first and long ones after: the estimate (the file's size over its first 64 KB's
    // lines) is well over the rows there are.
    const short = Array.from({ length: 2_000 }, (_, n) => `c${n},0.5,x`)
    const long = Array.from({ length: 1_000 }, (_, n) => `d${n},0.123456789,${"y".repeat(200)}`)
    await writeFile(path.join(dir, "scores.csv"), `customer_id,score,note\n${[...short, ...long].join("\n")}\n`)
    const result = await runCli(["sync", "-f", "scores.csv", "-e", "Scored", "-u", "customer_id", "--dry-run", "--progress", "bar"], { cwd: dir })
    expect(result.code).toBe(0)
    const frames = result.stderr.split("\n").filter((line) => line.includes("rows |"))
    // The first frame shows the estimate as the total; the last one, the rows there were.
    expect(Number(/ \d+\/(\d+) rows/.exec(frames[0]!)?.[1])).toBeGreaterThan(3_000)
    expect(frames.at(-1)).toMatch(/ 100% \| 3000\/3000 rows \| .* ETA 0s/)
  })
})
