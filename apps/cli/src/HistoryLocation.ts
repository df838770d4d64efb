import path from "node:path"
import { Flags } from "@oclif/core"
import { RUN_HISTORY_FILE_NAME } from "@tablecast/state-file"

/** The state folder every command defaults to: `.tablecast/state` beside the config file, or in the current folder. */
export const defaultStateDir = (baseDir: string): string => path.join(baseDir, ".tablecast", "state")

/**
 * The flags that say where the history is: `runs` and `runs show` read the same places (the JSONL
 * file, and the state stores of incremental syncs).
 */
export const historyLocationFlags = {
  config: Flags.string({
    summary: "Config file whose runs to read: the history is in .tablecast/state beside it.",
    helpGroup: "HISTORY"
  }),
  "state-dir": Flags.string({
    summary: "State folder holding the history, runs.jsonl (default: .tablecast/state beside the config file, or in the current folder).",
    helpGroup: "HISTORY"
  }),
  "state-db": Flags.string({
    summary: "Also read the runs of incremental syncs kept in this SQLite state file (as sync's --state-db).",
    helpGroup: "HISTORY"
  }),
  "state-postgres": Flags.string({
    summary: 'Also read the runs of incremental syncs kept in this Postgres state store: a URL or "env" (as sync\'s --state-postgres).',
    helpGroup: "HISTORY",
    exclusive: ["state-db"]
  })
}

/** The history file `runs` reads. */
export const historyFileOf = (flags: { readonly config?: string | undefined; readonly "state-dir"?: string | undefined }): string => {
  const baseDir = flags.config === undefined ? process.cwd() : path.dirname(path.resolve(flags.config))
  return path.join(path.resolve(flags["state-dir"] ?? defaultStateDir(baseDir)), RUN_HISTORY_FILE_NAME)
}
