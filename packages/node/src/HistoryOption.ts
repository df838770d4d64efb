import type { RunHistory, RunRetention } from "@tablecast/core"

/**
 * Where a run is recorded: a JSONL file (relative to `cwd`; the CLI's is `.tablecast/state/runs.jsonl`),
 * that file with a retention (the newest `maxRuns`, none older than `maxAgeDays`), `{ state: true }`
 * (where the CLI keeps it: an incremental sync's snapshot store, SQLite or Postgres; the CLI's
 * JSONL file for any other sync), or any {@link RunHistory}. Off when not given: a library writes
 * no file it was not asked to.
 */
export type HistoryOption =
  | string
  | { readonly file: string; readonly retention?: RunRetention }
  | { readonly state: true; readonly retention?: RunRetention }
  | RunHistory
