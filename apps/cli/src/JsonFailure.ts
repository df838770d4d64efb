import { type CliError, ExitCode } from "./ExitCode.ts"
import { terminalJson } from "./TerminalText.ts"

/** The name of an exit code in ExitCode ("usage", "sourceFailed", ...): what a script matches on. */
export const exitKindOf = (code: number): string => Object.entries(ExitCode).find(([, value]) => value === code)?.[0] ?? "internal"

/** Whether the command line asks for JSON: `--json` before any `--`, as oclif reads it. */
export const wantsJson = (argv: ReadonlyArray<string>): boolean => {
  const end = argv.indexOf("--")
  const json = argv.indexOf("--json")
  return json !== -1 && (end === -1 || json < end)
}

/**
 * With --json, a failure is one JSON object on stdout, as a success is: `{"error": {code, kind,
 * message}}`, and when a run produced a report or a plan, its fields beside it (the same object a
 * successful run prints, so a script reads `rows` the same way whatever the exit code).
 */
export const failureJson = (failure: { readonly code: number; readonly message: string; readonly details?: object }, result?: object): string =>
  terminalJson(
    JSON.stringify(
      { error: { code: failure.code, kind: exitKindOf(failure.code), message: failure.message, ...failure.details }, ...result },
      null,
      2
    )
  )

/** What an error carries that decides the next step, beside its message: a missing driver's package and versions. */
export const cliErrorDetails = (error: CliError): object | undefined =>
  error._tag === "DriverMissingError" ? { packageName: error.packageName, versionRange: error.versionRange } : undefined
