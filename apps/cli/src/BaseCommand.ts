import { IncrementalSyncSpec } from "@tablecast/incremental"
import { Command } from "@oclif/core"
import { cliErrorJson, wantsJson } from "./CliErrorJson.ts"
import { configEntryOf } from "./ConfigEntry.ts"
import { exitCodeOfError, isCliError } from "./ExitCode.ts"
import { resolveSync, specFlagNames, type SyncOverrides } from "@tablecast/config/node"
import { type ResolvedSync, sourceRegistry } from "./SyncConfig.ts"
import { terminalText } from "./TerminalText.ts"

export { DEFAULT_CONFIG_FILE } from "./ConfigEntry.ts"

/**
 * Shared by tablecast's commands: turns a typed error (a user's mistake, a source that cannot be
 * opened, an unusable output) into its message and exit code, with no stack trace, and resolves a
 * sync from a config entry and the flags.
 */
export abstract class BaseCommand extends Command {
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

  /** The one place a command's typed errors become their message and exit code (ExitCode.ts). */
  protected override async catch(error: Error & { exitCode?: number }): Promise<unknown> {
    if (isCliError(error)) {
      const code = exitCodeOfError(error)
      if (wantsJson(this.argv)) this.log(cliErrorJson(error, code))
      this.logToStderr(`tablecast: ${terminalText(error.message)}`)
      return this.exit(code)
    }
    return super.catch(error)
  }
}
