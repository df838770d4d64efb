import { existsSync } from "node:fs"
import path from "node:path"
import { ConfigError, DbtConfig } from "@tablecast/config"
import { type ConfigEntry, loadConfigFile } from "@tablecast/config/node"

export const DEFAULT_CONFIG_FILE = "tablecast.config.json"

/**
 * The config entry a command runs: the sync named (from --config, or ./tablecast.config.json when
 * a name is given), or a file's only sync; undefined without a file or a name (flags alone).
 */
export const configEntryOf = async (input: {
  readonly syncName: string | undefined
  readonly configFile: string | undefined
  readonly cwd: string
}): Promise<ConfigEntry | undefined> => {
  const file = input.configFile ?? (input.syncName === undefined ? undefined : DEFAULT_CONFIG_FILE)
  if (input.configFile === undefined && input.syncName !== undefined && !existsSync(path.resolve(input.cwd, DEFAULT_CONFIG_FILE))) {
    throw new ConfigError({
      message: `sync "${input.syncName}" needs a config file: none at ./${DEFAULT_CONFIG_FILE}; pass --config <file>`,
      flag: "config"
    })
  }
  if (file === undefined) return undefined
  const config = await loadConfigFile(path.resolve(input.cwd, file))
  const names = Object.keys(config.syncs)
  const name = input.syncName ?? (names.length === 1 ? names[0] : undefined)
  if (name === undefined) {
    throw new ConfigError({ message: `${file} holds ${names.length} syncs; name one: ${names.join(", ")}` })
  }
  const value = config.syncs[name]
  if (value === undefined) {
    throw new ConfigError({ message: `${file} has no sync named "${name}"; it has: ${names.join(", ") || "none"}` })
  }
  return { name, value, file }
}

/**
 * The source `tablecast inspect` reads from a config file: the named sync's (or the file's only
 * one), `--table`/`--query` over it, with the folder its paths are relative to.
 */
export const inspectedEntrySource = async (input: {
  readonly syncName: string | undefined
  readonly configFile: string | undefined
  readonly sourcePatch: Readonly<Record<string, unknown>> | undefined
}): Promise<{
  readonly raw: Record<string, unknown>
  readonly baseDir: string
  /** The entry's dbt model, its project absolute (relative to the config file; default the current folder). */
  readonly dbt?: { readonly model: string; readonly project: string }
}> => {
  const file = input.configFile ?? (input.syncName === undefined ? undefined : DEFAULT_CONFIG_FILE)
  if (file === undefined)
    throw new ConfigError({
      message: "nothing to inspect: give --file, --postgres, --snowflake, --bigquery, --databricks or --duckdb, or a sync of the config file"
    })
  const config = await loadConfigFile(path.resolve(file))
  const names = Object.keys(config.syncs)
  const name = input.syncName ?? (names.length === 1 ? names[0] : undefined)
  const entry = name === undefined ? undefined : config.syncs[name]
  if (entry === undefined) throw new ConfigError({ message: `${file}: name a sync to inspect (${names.join(", ")})` })
  const baseDir = path.dirname(path.resolve(file))
  const dbt = entry.dbt === undefined ? undefined : DbtConfig.safeParse(entry.dbt)
  if (dbt !== undefined && !dbt.success)
    throw new ConfigError({ message: `${file}: syncs.${name}.dbt: ${dbt.error.issues[0]?.message ?? "invalid"}` })
  return {
    raw: { ...(entry.source as Record<string, unknown>), ...input.sourcePatch },
    baseDir,
    ...(dbt?.data === undefined
      ? {}
      : { dbt: { model: dbt.data.model, project: dbt.data.project === undefined ? process.cwd() : path.resolve(baseDir, dbt.data.project) } })
  }
}
