import { describe, expect, it } from "vitest"
import { durationLines, durationText } from "./PlanText.ts"

describe("the plan's expected duration", () => {
  it("states the duration at the request rate and at Engage's 1,000 events/s", () => {
    // 6.8M messages in requests of about 1,070 messages: 6,356 requests, at 50 req/s 127 s.
    const lines = durationLines({ messages: 6_800_000, requests: 6_356 }, 50)
    expect(lines[0]).toBe("  duration    at 50 requests/s and ~1,070 messages per request: about 53,493 messages/s, 2m 8s for 6,800,000 messages")
    expect(lines[1]).toBe(
      "  engage      if this workspace uses Engage, Segment takes in 1,000 events/s: at least 1h 53m (it queues above that, it does not drop)"
    )
  })

  it("says when there is no rate limit of our own, and states nothing for nothing to send", () => {
    expect(durationLines({ messages: 10, requests: 1 }, 0)[0]).toMatch(/no request rate limit of our own/)
    expect(durationLines({ messages: 0, requests: 0 }, 50)).toEqual([])
  })

  it("reads as a person would say it", () => {
    expect([durationText(0.2), durationText(45), durationText(123), durationText(3_840)]).toEqual(["1s", "45s", "2m 3s", "1h 4m"])
  })
})
