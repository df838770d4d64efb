import type { DeliveryReport, FatalError } from "@tablecast/core"
import { describe, expect, it } from "vitest"
import { ExitCode, exitCodeOf } from "./ExitCode.ts"

const aborted = (fatal: FatalError) => ({ outcome: "aborted", fatal, rows: { rejected: 0 } }) as unknown as DeliveryReport

describe("exitCodeOf", () => {
  it("an output that could not be written, or a checkpoint that could not be read or written, is 11", () => {
    expect(ExitCode.outputFailed).toBe(11)
    expect(exitCodeOf(aborted({ kind: "output", message: "cannot write the rejects file r.jsonl: ENOSPC" }))).toBe(11)
    expect(exitCodeOf(aborted({ kind: "checkpoint", message: "cannot write the checkpoint c.json: EACCES" }))).toBe(11)
  })
})
