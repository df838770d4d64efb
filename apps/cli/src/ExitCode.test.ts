import { ConfigError } from "@tablecast/config"
import {
  BooksUnbalanced,
  type DeliveryReport,
  EndpointUnreachable,
  type FatalError,
  GuardTripped,
  InternalDefect,
  SecretSettingError,
  SpecInvalid,
  StateFailed,
  WriteKeyRefused
} from "@tablecast/core"
import { describe, expect, it } from "vitest"
import { ExitCode, exitCodeOf, exitCodeOfError, exitCodeOfFatal, isCliError, planExitCodeOfFatal } from "./ExitCode.ts"
import { OutputLocationError } from "./OutputFiles.ts"
import { StartError } from "./StartError.ts"

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

describe("the exit codes of typed errors and fatal causes", () => {
  it("gives every fatal cause the code its report kind had", () => {
    expect(exitCodeOfFatal(new WriteKeyRefused({ message: "401", status: 401 }))).toBe(ExitCode.authRefused)
    expect(exitCodeOfFatal(new SpecInvalid({ message: "no column" }))).toBe(ExitCode.sourceFailed)
    expect(exitCodeOfFatal(new EndpointUnreachable({ message: "down" }))).toBe(ExitCode.incomplete)
    expect(exitCodeOfFatal(new GuardTripped({ message: "over" }))).toBe(ExitCode.guardTripped)
  })

  it("a plan that could not be made: the state store 9, the books 10, anything else the source 6", () => {
    expect(planExitCodeOfFatal(new StateFailed({ message: "locked" }))).toBe(9)
    expect(planExitCodeOfFatal(new BooksUnbalanced({ message: "1 row" }))).toBe(10)
    expect(planExitCodeOfFatal(new InternalDefect({ message: "boom" }))).toBe(6)
    expect(planExitCodeOfFatal(undefined)).toBe(6)
  })

  it("the user's input 2, a source that cannot be opened 6, an unusable output 11", () => {
    expect(exitCodeOfError(new ConfigError({ message: "bad" }))).toBe(2)
    expect(exitCodeOfError(new SecretSettingError({ message: "unset" }))).toBe(2)
    expect(exitCodeOfError(new StartError({ message: "ENOENT" }))).toBe(6)
    expect(exitCodeOfError(new OutputLocationError({ message: "--report r: a link", flag: "--report", file: "r" }))).toBe(11)
    expect(isCliError(new StartError({ message: "x" }))).toBe(true)
    expect(isCliError(new Error("x"))).toBe(false)
  })
})
