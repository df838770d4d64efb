import { existsSync } from "node:fs"
import { IncrementalSyncSpec } from "@tablecast/incremental"
import path from "node:path"
import { Command } from "@oclif/core"
import { SecretSettingError } from "@tablecast/core"
import { ExitCode } from "./ExitCode.ts"
import { ConfigError } from "@tablecast/config"
import { loadConfigFile, resolveSync, specFlagNames, type SyncOverrides } from "@tablecast/config/node"
import { type ResolvedSync, sourceRegistry } from "./SyncConfig.ts"
import { terminalText } from "./TerminalText.ts"

export const DEFAULT_CONFIG_FILE = "tablecast.config.json"

/**
 * Shared by tablecast's commands: turns a ConfigError (a user's mistake) into its message and exit code 2 (no stack
 * trace for a user's mistake), and resolves a sync from a config entry and the flags.
 */
export abstract class BaseCommand extends Command {
  protected async resolve(input: {
    readonly syncName: string | undefined
    readonly configFile: string | undefined
    readonly overrides: SyncOverrides
    readonly needsWriteKey: boolean
  }): Promise<ResolvedSync> {
    const cwd = process.cwd()
    let entry: { name: string; value: Record<string, unknown>; file: string } | undefined
    const file = input.configFile ?? (input.syncName === undefined ? undefined : DEFAULT_CONFIG_FILE)
    if (input.configFile === undefined && input.syncName !== undefined && !existsSync(path.resolve(cwd, DEFAULT_CONFIG_FILE))) {
      throw new ConfigError({ message: `sync "${input.syncName}" needs a config file: none at ./${DEFAULT_CONFIG_FILE}; pass --config <file>`, flag: "config" })
    }
    if (file !== undefined) {
      const config = await loadConfigFile(path.resolve(cwd, file))
      const names = Object.keys(config.syncs)
      const name = input.syncName ?? (names.length === 1 ? names[0] : undefined)
      if (name === undefined) {
        throw new ConfigError({ message: `${file} holds ${names.length} syncs; name one: ${names.join(", ")}` })
      }
      const value = config.syncs[name]
      if (value === undefined) {
        throw new ConfigError({ message: `${file} has no sync named "${name}"; it has: ${names.join(", ") || "none"}` })
      }
      entry = { name, value, file }
    }
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

  protected override async catch(error: Error & { exitCode?: number }): Promise<unknown> {
    // A secret setting (core's, thrown by a source adapter) is the user's input too.
    if (error instanceof ConfigError || error instanceof SecretSettingError) {
      process.stderr.write(`tablecast: ${terminalText(error.message)}\n`)
      return this.exit(ExitCode.usage)
    }
    return super.catch(error)
  }
}
