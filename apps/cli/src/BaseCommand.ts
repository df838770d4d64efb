import { IncrementalSyncSpec } from "@tablecast/incremental"
import { Command, Errors, Flags } from "@oclif/core"
import { configEntryOf } from "./ConfigEntry.ts"
import { ExitCode, exitCodeOfError, isCliError } from "./ExitCode.ts"
import { cliErrorDetails, failureJson, wantsJson } from "./JsonFailure.ts"
import { resolveSync, specFlagNames, type SyncOverrides } from "@tablecast/config/node"
import { type ResolvedSync, sourceRegistry } from "./SyncConfig.ts"
import { terminalText } from "./TerminalText.ts"
import { isParseError, usageProblemOf } from "./UsageError.ts"

export { DEFAULT_CONFIG_FILE } from "./ConfigEntry.ts"

/**
 * Shared by tablecast's commands: turns a typed error (a user's mistake, a source that cannot be
 * opened, an unusable output) into its message and exit code, with no stack trace, and resolves a
 * sync from a config entry and the flags.
 */
export abstract class BaseCommand extends Command {
  static override baseFlags = {
    // Read by the colour library itself from the command line (as NO_COLOR and FORCE_COLOR from
    // the environment, no-color.org); declared so that every command accepts it.
    color: Flags.boolean({
      summary: "Colour in help and messages: --no-color turns it off (as NO_COLOR=1 does); default: on a terminal only.",
      allowNo: true,
      helpGroup: "GLOBAL"
    })
  }

  protected async resolve(input: {
    readonly syncName: string | undefined
    readonly configFile: string | undefined
    readonly overrides: SyncOverrides
    readonly needsWriteKey: boolean
  }): Promise<ResolvedSync> {
    const cwd = process.cwd()
    const entry = await configEntryOf({ syncName: input.syncName, configFile: input.configFile, cwd })
    return resolveSync({
      ...(entry === undefined ? {} : { entry }),
      overrides: input.overrides,
      sources: sourceRegistry,
      spec: IncrementalSyncSpec,
      env: process.env,
      cwd,
      flagOf: specFlagNames,
      needsWriteKey: input.needsWriteKey
    })
  }

  /** Whether this run prints JSON (--json): then a failure is JSON on stdout too. */
  protected get json(): boolean {
    return wantsJson(this.argv)
  }

  /**
   * Stops the command with a failure: the message on stderr, in one line (and a hint to the help
   * for a usage error); with --json, also one JSON object on stdout (the report or plan the run
   * made, if any, beside the error).
   */
  protected fail(
    failure: { readonly code: number; readonly message: string; readonly hint?: string; readonly details?: object },
    result?: object
  ): never {
    if (this.json) this.log(failureJson(failure, result))
    this.logToStderr(`tablecast: ${terminalText(failure.message)}`)
    if (failure.hint !== undefined) this.logToStderr(failure.hint)
    return this.exit(failure.code)
  }

  /** The one place a command's typed errors become their message and exit code (ExitCode.ts). */
  protected override async catch(error: Error & { exitCode?: number }): Promise<unknown> {
    // this.exit(code): already told.
    if (error instanceof Errors.ExitError) throw error
    if (isCliError(error)) return this.fail({ code: exitCodeOfError(error), message: error.message, details: cliErrorDetails(error) })
    if (isParseError(error)) {
      const flagNames = Object.keys({ ...this.ctor.flags, ...this.ctor.baseFlags })
      const problem = usageProblemOf(error, { bin: this.config.bin, id: this.id, flagNames })
      return this.fail({ code: ExitCode.usage, ...problem })
    }
    if (this.json) return this.fail({ code: ExitCode.internal, message: error.message })
    return super.catch(error)
  }
}
