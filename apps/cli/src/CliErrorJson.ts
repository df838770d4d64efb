import type { CliError } from "./ExitCode.ts"

/** True when the command line asks for `--json` (before a `--`, which ends the flags). */
export const wantsJson = (argv: ReadonlyArray<string>): boolean => {
  const end = argv.indexOf("--")
  return (end === -1 ? argv : argv.slice(0, end)).includes("--json")
}

/**
 * A command's error as the one JSON line `--json` prints on stdout, beside the line on stderr:
 * `{"error": {"code": <exit code>, "name": …, "message": …}}`, with what decides the next step
 * (a missing driver's package and versions).
 */
export const cliErrorJson = (error: CliError, code: number): string =>
  JSON.stringify({
    error: {
      code,
      name: error._tag,
      message: error.message,
      ...(error._tag === "DriverMissingError" ? { packageName: error.packageName, versionRange: error.versionRange } : {})
    }
  })
