import type { DeliveryReport, FatalError } from "@tablecast/core"
import { describe, expect, it } from "vitest"
import { ExitCode, exitCodeOf } from "./ExitCode.ts"

const report = (fatal?: FatalError, rejected = 0): DeliveryReport =>
  ({
    outcome: fatal === undefined ? "completed" : "aborted",
    rows: { read: 10, mapped: 10 - rejected, rejected, skipped: 0 },
    messages: { built: 10 - rejected, sent: 10 - rejected, accepted: 10 - rejected, refused: 0, undelivered: 0 },
    ...(fatal === undefined ? {} : { fatal })
  }) as DeliveryReport

describe("exitCodeOf", () => {
  it("exits 10 when the books do not balance, whatever else the run did", () => {
    expect(ExitCode.unbalanced).toBe(10)
    expect(exitCodeOf(report({ kind: "unbalanced", message: "the books do not balance: 1 row read unaccounted for" }, 1))).toBe(10)
  })

  it("exits 1 for an internal error, 3 for rejected rows, 0 when all was delivered", () => {
    expect(exitCodeOf(report({ kind: "internal", message: "reading failed: Error: boom" }))).toBe(1)
    expect(exitCodeOf(report(undefined, 1))).toBe(3)
    expect(exitCodeOf(report())).toBe(0)
  })

  it("an output that could not be written, or a checkpoint that could not be read or written, is 11", () => {
    expect(ExitCode.outputFailed).toBe(11)
    expect(exitCodeOf(report({ kind: "output", message: "cannot write the rejects file r.jsonl: ENOSPC" }))).toBe(11)
    expect(exitCodeOf(report({ kind: "checkpoint", message: "cannot write the checkpoint c.json: EACCES" }))).toBe(11)
  })
})
