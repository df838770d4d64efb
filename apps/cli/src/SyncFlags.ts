import path from "node:path"
import { Flags } from "@oclif/core"
import { UsageError } from "./UsageError.ts"
import type { SyncOverrides } from "./SyncConfig.ts"

const list = (text: string | undefined): ReadonlyArray<string> | "*" | undefined => {
  if (text === undefined) return undefined
  if (text.trim() === "*") return "*"
  return text
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "")
}

const pairs = (values: ReadonlyArray<string> | undefined, flag: string): Record<string, string> | undefined => {
  if (values === undefined || values.length === 0) return undefined
  const result: Record<string, string> = {}
  for (const value of values) {
    const at = value.lastIndexOf("=")
    if (at <= 0 || at === value.length - 1) throw new UsageError(`--${flag} ${JSON.stringify(value)}: expected column=value`)
    result[value.slice(0, at)] = value.slice(at + 1)
  }
  return result
}

const json = (text: string | undefined, flag: string): Record<string, unknown> | undefined => {
  if (text === undefined) return undefined
  try {
    const value = JSON.parse(text) as unknown
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error("not an object")
    return value as Record<string, unknown>
  } catch {
    throw new UsageError(`--${flag}: expected a JSON object, e.g. '{"app":{"name":"churn-model"}}'`)
  }
}

/** Flags that say what a sync reads and how rows become messages (sync and preview). */
export const mappingFlags = {
  config: Flags.string({
    char: "c",
    summary: "Config file with named syncs (default: tablecast.config.json when a sync name is given).",
    helpGroup: "SOURCE"
  }),
  file: Flags.string({ char: "f", summary: "CSV file to read.", helpGroup: "SOURCE" }),
  delimiter: Flags.string({ summary: 'CSV field delimiter (default ","; "tab" for tab-separated).', helpGroup: "SOURCE" }),
  worker: Flags.boolean({
    summary:
      "Parse (and map) the CSV file in a worker thread beside the sender (the default with two cores and 512 MiB or more); --no-worker: one thread, about 10 MiB less memory, slower on two cores or more.",
    allowNo: true,
    helpGroup: "SOURCE"
  }),
  postgres: Flags.string({
    summary: 'Read from Postgres: a connection URL (password from PGPASSWORD), or "env" for the PG* variables.',
    helpGroup: "SOURCE",
    exclusive: ["file", "snowflake"]
  }),
  snowflake: Flags.string({
    summary: 'Read from Snowflake: an account identifier, or "env" for the SNOWFLAKE_* variables (user, password or key, warehouse, ...).',
    helpGroup: "SOURCE",
    exclusive: ["file", "postgres"]
  }),
  table: Flags.string({
    summary: "Warehouse table to read, e.g. analytics.churn_scores (quoted safely: a name, never SQL).",
    helpGroup: "SOURCE"
  }),
  query: Flags.string({ summary: "Warehouse query to read, as SQL text or a .sql file: one SELECT, WITH, VALUES or TABLE statement, run read-only.", helpGroup: "SOURCE" }),
  type: Flags.string({
    char: "t",
    summary: "Call per row: track, identify, or both.",
    options: ["track", "identify", "both"],
    helpGroup: "MAPPING"
  }),
  event: Flags.string({ char: "e", summary: 'Event name of each track call, e.g. "Sales Prediction".', helpGroup: "MAPPING" }),
  "customer-id": Flags.string({ char: "u", summary: "Column whose value becomes userId.", helpGroup: "MAPPING" }),
  "anonymous-id": Flags.string({ summary: "Column whose value becomes anonymousId.", helpGroup: "MAPPING" }),
  properties: Flags.string({
    char: "p",
    summary: 'Columns that become properties: a,b,c, or "*" for all others (default).',
    helpGroup: "MAPPING"
  }),
  traits: Flags.string({ summary: "Columns that become identify traits (default: the properties).", helpGroup: "MAPPING" }),
  exclude: Flags.string({ summary: 'Columns to leave out of "*": a,b,c.', helpGroup: "MAPPING" }),
  rename: Flags.string({
    summary: "Column=property name; a dotted name nests (score=scores.iphone). Repeatable.",
    multiple: true,
    helpGroup: "MAPPING"
  }),
  column: Flags.string({
    summary:
      "Column=type (auto, string, number, integer, boolean, json, timestamp); '*=type' for every column not named. Repeatable. auto: decided once per column (a warehouse's declared type, a file's first 1,000 rows).",
    multiple: true,
    helpGroup: "MAPPING"
  }),
  timestamp: Flags.string({ summary: "Column holding the row's own time (becomes timestamp).", helpGroup: "MAPPING" }),
  empty: Flags.string({
    summary: 'What an empty value becomes: omit (default), null, or empty ("" in columns sent as text).',
    options: ["omit", "null", "empty"],
    helpGroup: "MAPPING"
  }),
  context: Flags.string({ summary: "Static context object, as JSON.", helpGroup: "MAPPING" }),
  integrations: Flags.string({ summary: "Static integrations object, as JSON.", helpGroup: "MAPPING" }),
  name: Flags.string({ summary: "Name of the sync (namespaces messageIds; default: type and event).", helpGroup: "MAPPING" })
}

/** Spec and pipeline field → flag, for error messages. */
export const specFlagNames: Readonly<Record<string, string>> = {
  type: "type",
  event: "event",
  customerId: "customer-id",
  anonymousId: "anonymous-id",
  properties: "properties",
  traits: "traits",
  exclude: "exclude",
  rename: "rename",
  columns: "column",
  timestamp: "timestamp",
  empty: "empty",
  context: "context",
  integrations: "integrations",
  name: "name",
  key: "key",
  incremental: "mode",
  batchCount: "batch-count",
  batchBytes: "batch-bytes",
  flushIntervalMillis: "flush-interval",
  queueCapacity: "queue-capacity",
  maxInFlight: "max-in-flight",
  maxAttempts: "max-attempts",
  maxRetryMillis: "max-retry-time",
  maxRejectedRows: "max-rejects",
  maxRejectedShare: "max-rejects",
  drainTimeoutMillis: "drain-timeout"
}

/** Flags of an incremental sync (sync and plan). */
export const incrementalFlags = {
  key: Flags.string({
    summary: "Key column(s) of each row, a,b: makes the sync incremental (only changes since the last run are sent).",
    helpGroup: "INCREMENTAL"
  }),
  mode: Flags.string({
    summary: "What an incremental run sends: added, changed, added-or-changed (default), removed, or all.",
    options: ["added", "changed", "added-or-changed", "removed", "all"],
    helpGroup: "INCREMENTAL"
  }),
  tolerance: Flags.string({
    summary: "Column=threshold below which a numeric change does not count: absolute (score=0.01) or relative (revenue=5%). Repeatable.",
    multiple: true,
    helpGroup: "INCREMENTAL"
  }),
  ignore: Flags.string({
    summary: "Columns whose changes alone do not count, a,b (default: the timestamp column).",
    helpGroup: "INCREMENTAL"
  }),
  "removed-event": Flags.string({
    summary: 'Event of the track call sent for a removed row (default "Segment Exited").',
    helpGroup: "INCREMENTAL"
  }),
  "max-changed": Flags.string({
    summary: "Guard: stop before sending when more of the snapshot's rows changed, e.g. 50% (default) or 0.5.",
    helpGroup: "INCREMENTAL"
  }),
  "max-removed": Flags.string({
    summary: "Guard: stop before sending when more of the snapshot's rows are gone from the table, in every mode, e.g. 20% (default).",
    helpGroup: "INCREMENTAL"
  }),
  full: Flags.boolean({ summary: "Send every row, changed or not, and rebuild the snapshot.", helpGroup: "INCREMENTAL" }),
  force: Flags.boolean({ summary: "Send even when the changes are over the guard.", helpGroup: "INCREMENTAL" }),
  "state-db": Flags.string({
    summary: "SQLite file of the snapshots (default: .tablecast/state.db beside the config file, or in the current folder).",
    helpGroup: "INCREMENTAL"
  }),
  "state-postgres": Flags.string({
    summary:
      'Keep the snapshots in Postgres instead, for runs from several machines: a URL (password from PGPASSWORD) or "env" for the PG* variables.',
    helpGroup: "INCREMENTAL",
    exclusive: ["state-db"]
  }),
  "diff-in-database": Flags.boolean({
    summary:
      "With a Postgres source and --state-postgres in the same database, compute the diff there: unchanged rows never leave it (default). --no-diff-in-database reads every row.",
    allowNo: true,
    helpGroup: "INCREMENTAL"
  })
}

const share = (text: string | undefined, flag: string): number | undefined => {
  if (text === undefined) return undefined
  const trimmed = text.trim()
  const value = trimmed.endsWith("%") ? Number(trimmed.slice(0, -1)) / 100 : Number(trimmed)
  if (trimmed === "" || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new UsageError(`--${flag} ${JSON.stringify(text)}: expected a share, 0 to 1 or 0% to 100% (e.g. 50%)`)
  }
  return value
}

const tolerances = (values: ReadonlyArray<string> | undefined): Record<string, { absolute?: number; relative?: number }> | undefined => {
  const thresholds = pairs(values, "tolerance")
  if (thresholds === undefined) return undefined
  const result: Record<string, { absolute?: number; relative?: number }> = {}
  for (const [column, text] of Object.entries(thresholds)) {
    const relative = text.trim().endsWith("%")
    const value = Number(relative ? text.trim().slice(0, -1) : text)
    if (!Number.isFinite(value) || value < 0) {
      throw new UsageError(`--tolerance ${column}=${text}: expected a threshold such as ${column}=0.01 or ${column}=5%`)
    }
    result[column] = relative ? { relative: value / 100 } : { absolute: value }
  }
  return result
}

type IncrementalFlagValues = { [K in keyof typeof incrementalFlags]?: unknown }

/** What the incremental flags say: the key, the fields of `incremental` they set, how to run, where state lives. */
export const incrementalOverrides = (flags: IncrementalFlagValues & Record<string, unknown>) => {
  const text = (name: string) => flags[name] as string | undefined
  const key = list(text("key"))
  if (key === "*") throw new UsageError('--key names the key columns (a,b), not "*"')
  const ignore = list(text("ignore"))
  if (ignore === "*") throw new UsageError('--ignore names columns (a,b), not "*"')
  const guard = {
    ...(text("max-changed") === undefined ? {} : { maxChangedShare: share(text("max-changed"), "max-changed") }),
    ...(text("max-removed") === undefined ? {} : { maxRemovedShare: share(text("max-removed"), "max-removed") })
  }
  const tolerance = tolerances(flags.tolerance as ReadonlyArray<string> | undefined)
  const patch: Record<string, unknown> = {
    ...(text("mode") === undefined ? {} : { mode: text("mode") }),
    ...(tolerance === undefined ? {} : { tolerance }),
    ...(ignore === undefined ? {} : { ignore }),
    ...(text("removed-event") === undefined ? {} : { removed: { event: text("removed-event") } }),
    ...(Object.keys(guard).length === 0 ? {} : { guard })
  }
  const statePostgres = text("state-postgres")
  const stateDb = text("state-db")
  return {
    key,
    /** Fields merged into the sync's `incremental` settings. */
    incrementalPatch: Object.keys(patch).length === 0 ? undefined : patch,
    state:
      statePostgres !== undefined
        ? { postgres: statePostgres === "env" ? {} : { url: statePostgres } }
        : stateDb !== undefined
          ? { sqlite: path.resolve(stateDb) }
          : undefined,
    full: flags.full === true,
    force: flags.force === true,
    diffInDatabase: flags["diff-in-database"] !== false
  }
}

/** Flags that say where batches go and how they are sent (sync only). */
export const deliveryFlags = {
  "write-key": Flags.string({
    summary: "Segment write key (prefer the SEGMENT_WRITE_KEY environment variable).",
    helpGroup: "DESTINATION"
  }),
  region: Flags.string({ summary: "Segment region: us (default) or eu.", options: ["us", "eu"], helpGroup: "DESTINATION" }),
  endpoint: Flags.string({
    summary: "A Segment-compatible endpoint instead (RudderStack, Jitsu, tablecast sink).",
    helpGroup: "DESTINATION"
  }),
  gzip: Flags.boolean({ summary: "Compress request bodies.", allowNo: true, helpGroup: "DESTINATION" }),
  timeout: Flags.integer({ summary: "Request timeout in ms (default 10000).", min: 1, helpGroup: "DESTINATION" }),
  "batch-count": Flags.integer({ summary: "Messages per batch (default 100, at most 2500).", helpGroup: "BATCHING" }),
  "batch-bytes": Flags.integer({ summary: "Request body bytes per batch (default and most 475000).", helpGroup: "BATCHING" }),
  "flush-interval": Flags.integer({
    summary: "Flush a partial batch this many ms after the last flush (default 500).",
    helpGroup: "BATCHING"
  }),
  "queue-capacity": Flags.integer({
    summary:
      "Messages queued before the reader waits (default 500, and with --max-rejects at least those of the 1,000 rows checked first).",
    helpGroup: "BATCHING"
  }),
  "max-in-flight": Flags.integer({ summary: "Batches posted at once (default 4).", helpGroup: "BATCHING" }),
  "max-attempts": Flags.integer({
    summary: "Also stop retrying a batch after this many tries (no cap by default: --max-retry-time binds).",
    helpGroup: "BATCHING"
  }),
  "max-retry-time": Flags.integer({
    summary:
      "Retry budget: a batch not accepted this many ms after its first try means the endpoint is unreachable, and the run stops (default 600000).",
    helpGroup: "BATCHING"
  }),
  rejects: Flags.string({ char: "r", summary: "Write rejected rows, with reasons, to this JSONL file.", helpGroup: "OUTPUT" }),
  "max-rejects": Flags.string({
    summary:
      "Stop when more rows than this are rejected: a count (100) or a share (5%). Checked on the first 1,000 rows before anything is sent.",
    helpGroup: "BATCHING"
  }),
  "drain-timeout": Flags.integer({
    summary: "On Ctrl-C/SIGTERM, how long to flush queued batches before stopping at once (ms, default 30000).",
    helpGroup: "BATCHING"
  })
}

const maxRejects = (text: string | undefined): Record<string, number | undefined> => {
  if (text === undefined) return {}
  const trimmed = text.trim()
  if (trimmed.endsWith("%")) {
    const percent = Number(trimmed.slice(0, -1))
    if (!Number.isFinite(percent)) throw new UsageError(`--max-rejects ${JSON.stringify(text)}: expected a count (100) or a share (5%)`)
    return { maxRejectedShare: percent / 100 }
  }
  const count = Number(trimmed)
  if (!Number.isInteger(count)) throw new UsageError(`--max-rejects ${JSON.stringify(text)}: expected a count (100) or a share (5%)`)
  return { maxRejectedRows: count }
}

type MappingFlagValues = { [K in keyof typeof mappingFlags]?: unknown }

/** Reads the mapping flags into overrides of a config entry. */
export const mappingOverrides = (
  flags: MappingFlagValues & Record<string, unknown>
): Pick<SyncOverrides, "source" | "sourcePatch" | "spec"> => {
  const text = (name: string) => flags[name] as string | undefined
  const file = text("file")
  const delimiter = text("delimiter")
  if (delimiter !== undefined && file === undefined && text("config") === undefined) {
    throw new UsageError("--delimiter applies to a CSV source: give --file too")
  }
  const worker = flags.worker as boolean | undefined
  if (worker !== undefined && file === undefined)
    throw new UsageError('--worker and --no-worker apply to a CSV file: give --file too (in a config file, the source\'s "worker")')
  const table = text("table")
  const query = text("query")
  if (table !== undefined && query !== undefined) throw new UsageError("give --table or --query, not both")
  if (file !== undefined && (table !== undefined || query !== undefined))
    throw new UsageError("--table and --query read a warehouse (--postgres or --snowflake), not a --file")
  // Paths on the command line are relative to the current folder, not to a config file.
  const target = {
    ...(table === undefined ? {} : { table }),
    ...(query === undefined ? {} : { query: query.endsWith(".sql") ? path.resolve(query) : query })
  }
  const postgres = text("postgres")
  const snowflake = text("snowflake")
  let source: Record<string, unknown> | undefined
  if (file !== undefined) {
    source = {
      type: "csv",
      path: path.resolve(file),
      ...(delimiter === undefined ? {} : { delimiter }),
      ...(worker === undefined ? {} : { worker })
    }
  } else if (postgres !== undefined) source = { type: "postgres", ...(postgres === "env" ? {} : { url: postgres }), ...target }
  else if (snowflake !== undefined) {
    const where = snowflake === "env" ? {} : snowflake.startsWith("snowflake://") ? { url: snowflake } : { account: snowflake }
    source = { type: "snowflake", ...where, ...target }
  }
  const columns = pairs(flags.column as ReadonlyArray<string> | undefined, "column")
  return {
    ...(source !== undefined ? { source } : Object.keys(target).length > 0 ? { sourcePatch: target } : {}),
    spec: {
      type: text("type"),
      event: text("event"),
      customerId: text("customer-id"),
      anonymousId: text("anonymous-id"),
      properties: list(text("properties")),
      traits: list(text("traits")),
      exclude: (() => {
        const excluded = list(text("exclude"))
        return excluded === "*" ? undefined : excluded
      })(),
      rename: pairs(flags.rename as ReadonlyArray<string> | undefined, "rename"),
      columns,
      timestamp: text("timestamp"),
      empty: text("empty"),
      context: json(text("context"), "context"),
      integrations: json(text("integrations"), "integrations"),
      name: text("name")
    }
  }
}

type DeliveryFlagValues = { [K in keyof typeof deliveryFlags]?: unknown }

export const deliveryOverrides = (flags: DeliveryFlagValues & Record<string, unknown>): Omit<SyncOverrides, "source" | "spec"> => ({
  destination: {
    region: flags.region,
    endpoint: flags.endpoint,
    gzip: flags.gzip,
    timeoutMillis: flags.timeout
  },
  pipeline: {
    batchCount: flags["batch-count"],
    batchBytes: flags["batch-bytes"],
    flushIntervalMillis: flags["flush-interval"],
    queueCapacity: flags["queue-capacity"],
    maxInFlight: flags["max-in-flight"],
    maxAttempts: flags["max-attempts"],
    maxRetryMillis: flags["max-retry-time"],
    drainTimeoutMillis: flags["drain-timeout"],
    ...maxRejects(flags["max-rejects"] as string | undefined)
  },
  ...(flags.rejects === undefined ? {} : { rejects: path.resolve(flags.rejects as string) }),
  ...(flags["write-key"] === undefined ? {} : { writeKey: flags["write-key"] as string })
})
