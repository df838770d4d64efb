import { existsSync } from "node:fs"
import path from "node:path"
import { StateConfig } from "@tablecast/config"
import { loadConfigFile } from "@tablecast/config/node"
import type { RunHistory } from "@tablecast/core"
import { defaultStateFile, runHistoryOfState } from "@tablecast/node/shared"
import { runHistoryFile } from "@tablecast/state-file/history"
import { DEFAULT_CONFIG_FILE } from "./ConfigEntry.ts"
import { historyFileOf } from "./HistoryLocation.ts"
import { cliDrivers } from "./sources/Drivers.ts"

/** One place runs are kept, opened only when read: `location` names it in messages (never a password). */
export interface HistorySource {
  readonly location: string
  readonly open: () => Promise<RunHistory>
}

/** Where `runs` looks: the flags of `historyLocationFlags`. */
export interface HistoryLocationFlags {
  readonly config?: string | undefined
  readonly "state-dir"?: string | undefined
  readonly "state-db"?: string | undefined
  readonly "state-postgres"?: string | undefined
}

const describeState = (state: StateConfig, baseDir: string): string =>
  "sqlite" in state
    ? path.resolve(baseDir, state.sqlite)
    : `Postgres state store${state.postgres.schema === undefined ? "" : ` (schema ${state.postgres.schema})`}`

/**
 * Every place a project's runs are kept (a sync's runs in runs.jsonl, an incremental sync's in its
 * snapshot store): the JSONL file; the default SQLite state file when it exists; the state of each
 * sync of the config file (a SQLite file that exists, a Postgres store); and the store the
 * `--state-db` / `--state-postgres` flags name. A store is opened only when read.
 */
export const historySourcesOf = async (flags: HistoryLocationFlags, cwd = process.cwd()): Promise<ReadonlyArray<HistorySource>> => {
  const file = historyFileOf(flags)
  const sources: Array<HistorySource> = [{ location: file, open: async () => runHistoryFile(file) }]
  const configFile = flags.config ?? (existsSync(path.join(cwd, DEFAULT_CONFIG_FILE)) ? DEFAULT_CONFIG_FILE : undefined)
  const baseDir = configFile === undefined ? cwd : path.dirname(path.resolve(cwd, configFile))
  const states: Array<{ readonly state: StateConfig | undefined; readonly baseDir: string }> = [{ state: undefined, baseDir }]
  if (configFile !== undefined && existsSync(path.resolve(cwd, configFile))) {
    const config = await loadConfigFile(path.resolve(cwd, configFile))
    for (const entry of Object.values(config.syncs)) {
      const parsed = StateConfig.safeParse(entry.state)
      // A state that does not check is the sync's problem, told when it runs; here it holds no run.
      if (parsed.success) states.push({ state: parsed.data, baseDir })
    }
  }
  if (flags["state-postgres"] !== undefined) {
    states.push({ state: { postgres: flags["state-postgres"] === "env" ? {} : { url: flags["state-postgres"] } }, baseDir: cwd })
  } else if (flags["state-db"] !== undefined) {
    states.push({ state: { sqlite: path.resolve(cwd, flags["state-db"]) }, baseDir: cwd })
  }
  const seen = new Set<string>()
  for (const { state, baseDir: dir } of states) {
    const identity =
      state === undefined || "sqlite" in state
        ? `sqlite:${state === undefined ? defaultStateFile(dir) : path.resolve(dir, state.sqlite)}`
        : `postgres:${JSON.stringify(state.postgres)}`
    if (seen.has(identity)) continue
    seen.add(identity)
    // A SQLite file not made yet holds no run: not opened, so a plain project never loads node:sqlite.
    if (identity.startsWith("sqlite:") && !existsSync(identity.slice("sqlite:".length))) continue
    const open = () => runHistoryOfState(state, dir, process.env, cliDrivers)
    sources.push({ location: state === undefined ? defaultStateFile(dir) : describeState(state, dir), open })
  }
  return sources
}
