import path from "node:path"
import { describe, expect, it } from "vitest"
import { historySettingsOf } from "./RunRecording.ts"

describe("historySettingsOf", () => {
  const stateDir = path.join("/tmp", "state")
  it("is on with the default retention when nothing says otherwise", () => {
    expect(historySettingsOf({ flag: undefined, config: undefined, stateDir })).toEqual({
      enabled: true,
      file: path.join(stateDir, "runs.jsonl"),
      retention: { maxRuns: 1000, maxAgeDays: 90 }
    })
  })
  it("follows the config, and the flag over it", () => {
    expect(historySettingsOf({ flag: undefined, config: false, stateDir }).enabled).toBe(false)
    expect(historySettingsOf({ flag: true, config: false, stateDir }).enabled).toBe(true)
    expect(historySettingsOf({ flag: false, config: { maxRuns: 5 }, stateDir })).toMatchObject({
      enabled: false,
      retention: { maxRuns: 5, maxAgeDays: 90 }
    })
    expect(historySettingsOf({ flag: undefined, config: { enabled: false, maxAgeDays: 7 }, stateDir })).toMatchObject({
      enabled: false,
      retention: { maxRuns: 1000, maxAgeDays: 7 }
    })
  })
})
