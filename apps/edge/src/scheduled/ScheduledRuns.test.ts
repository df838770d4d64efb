import { describe, expect, it } from "vitest"
import { parseScheduledRuns, runsForCron, ScheduledRunsError } from "./ScheduledRuns.ts"

const spec = { event: "Churn Score", customerId: "user_id" }
const messageOf = (value: unknown): string => {
  try {
    parseScheduledRuns(value)
  } catch (error) {
    expect(error).toBeInstanceOf(ScheduledRunsError)
    return (error as ScheduledRunsError).message
  }
  throw new Error("parsed")
}

describe("SCHEDULED_RUNS", () => {
  it("reads an array from wrangler vars or its JSON text; absent or blank means none", () => {
    const runs = [{ name: "churn", cron: "15 6 * * *", url: "https://exports.example.com/churn.csv", spec }]
    expect(parseScheduledRuns(runs)).toEqual(runs)
    expect(parseScheduledRuns(JSON.stringify(runs))).toEqual(runs)
    expect(parseScheduledRuns(undefined)).toEqual([])
    expect(parseScheduledRuns("  ")).toEqual([])
  })

  it("names the entry and field at fault, never a value", () => {
    expect(messageOf("[{")).toBe("SCHEDULED_RUNS: not valid JSON")
    const message = messageOf([
      { name: "a", url: "ftp://x/y", spec },
      { name: "b", url: "https://u:p4ss@x/y", spec },
      { name: "c", url: "https://x/y", urlSecret: "ROWS_URL", spec },
      { name: "d", urlSecret: "rows-url", spec, extra: 1 }
    ])
    expect(message).toContain("SCHEDULED_RUNS[0].url: an http(s):// URL")
    expect(message).toContain("SCHEDULED_RUNS[1].url: no credentials in the URL")
    expect(message).toContain("SCHEDULED_RUNS[2].url: give url or urlSecret (exactly one)")
    expect(message).toContain("SCHEDULED_RUNS[3].urlSecret: the name of a Worker secret")
    expect(message).toContain("SCHEDULED_RUNS[3]: Unrecognized key")
    expect(message).not.toContain("p4ss")
    expect(
      messageOf([
        { name: "a", url: "https://x/1", spec },
        { name: "a", url: "https://x/2", spec }
      ])
    ).toBe('SCHEDULED_RUNS[1].name: "a" is used twice')
  })

  it("picks the runs of the cron that fired, and those without a cron", () => {
    const runs = parseScheduledRuns([
      { name: "daily", cron: "15 6 * * *", url: "https://x/d.csv", spec },
      { name: "hourly", cron: "0 * * * *", url: "https://x/h.csv", spec },
      { name: "every", url: "https://x/e.csv", spec }
    ])
    expect(runsForCron(runs, "0 * * * *").map((run) => run.name)).toEqual(["hourly", "every"])
    expect(runsForCron(runs, "15 6 * * *").map((run) => run.name)).toEqual(["daily", "every"])
  })
})
