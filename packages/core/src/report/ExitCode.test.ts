import { describe, expect, it } from "vitest"
import { ExitCode, exitCodeOfEnding, exitCodeOfFatal } from "./ExitCode.ts"
import { fatalOfRecord, GuardTripped, Interrupted, StateFailed, WriteKeyRefused } from "./Fatal.ts"

describe("the exit-code table", () => {
  it("gives a cause's code, whichever way it is held (the cause, or the report's record)", () => {
    expect(exitCodeOfFatal(new WriteKeyRefused({ message: "401", status: 401 }))).toBe(ExitCode.authRefused)
    expect(exitCodeOfFatal(new GuardTripped({ message: "over" }))).toBe(8)
    expect(exitCodeOfFatal(new StateFailed({ message: "locked" }))).toBe(9)
    expect(exitCodeOfFatal(new Interrupted({ message: "SIGTERM" }))).toBe(130)
    expect(exitCodeOfFatal(fatalOfRecord({ kind: "source-changed", message: "changed" }))).toBe(ExitCode.sourceChanged)
  })

  it("a run's ending: its cause first, then incomplete (4), then rejected rows (3), else 0", () => {
    expect(exitCodeOfEnding({ outcome: "aborted", fatal: { kind: "auth" }, rejected: 5 })).toBe(5)
    expect(exitCodeOfEnding({ outcome: "incomplete", rejected: 5 })).toBe(4)
    expect(exitCodeOfEnding({ outcome: "completed", rejected: 5 })).toBe(3)
    expect(exitCodeOfEnding({ outcome: "completed", rejected: 0 })).toBe(0)
  })
})
