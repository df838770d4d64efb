import path from "node:path"
import { flagError } from "./ConfigError.ts"
import type { StateConfig } from "./ConfigSchema.ts"
import type { SyncOverrides } from "./SyncOverrides.ts"

/** The values of a command's flags, by flag name (`customer-id`), as the command line parser gives them. */
export type FlagValues = Readonly<Record<string, unknown>>

/** Spec and pipeline field → flag, for error messages. */
export const specFlagNames: Readonly<Record<string, string>> = {
  type: "type",
  event: "event",
  customerId: "customer-id",
  anonymousId: "anonymous-id",
  groupId: "group-id",
  properties: "properties",
  traits: "traits",
  groupTraits: "group-traits",
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
  batchProfile: "batch-profile",
  batchCount: "batch-count",
  batchBytes: "batch-bytes",
  flushIntervalMillis: "flush-interval",
  queueCapacity: "queue-capacity",
  maxInFlight: "max-in-flight",
  minInFlight: "min-in-flight",
  maxRps: "max-rps",
  maxAttempts: "max-attempts",
  maxRetryMillis: "max-retry-time",
  maxRejectedRows: "max-rejects",
  maxRejectedShare: "max-rejects",
  drainTimeoutMillis: "drain-timeout"
}

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
    if (at <= 0 || at === value.length - 1) throw flagError(flag, `--${flag} ${JSON.stringify(value)}: expected column=value`)
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
    throw flagError(flag, `--${flag}: expected a JSON object, e.g. '{"app":{"name":"churn-model"}}'`)
  }
}

const share = (text: string | undefined, flag: string): number | undefined => {
  if (text === undefined) return undefined
  const trimmed = text.trim()
  const value = trimmed.endsWith("%") ? Number(trimmed.slice(0, -1)) / 100 : Number(trimmed)
  if (trimmed === "" || !Number.isFinite(value) || value < 0 || value > 1) {
    throw flagError(flag, `--${flag} ${JSON.stringify(text)}: expected a share, 0 to 1 or 0% to 100% (e.g. 50%)`)
  }
  return value
}

/** A rate in requests per second: a number, 0 or more (0: no limit). */
const rate = (text: unknown, flag: string): number | undefined => {
  if (text === undefined) return undefined
  if (typeof text === "number") return text
  const value = Number(String(text).trim())
  if (String(text).trim() === "" || !Number.isFinite(value) || value < 0) {
    throw flagError(flag, `--${flag} ${JSON.stringify(text)}: expected requests per second, 0 or more (0: no limit), e.g. 50`)
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
      throw flagError("tolerance", `--tolerance ${column}=${text}: expected a threshold such as ${column}=0.01 or ${column}=5%`)
    }
    result[column] = relative ? { relative: value / 100 } : { absolute: value }
  }
  return result
}

const stateOf = (statePostgres: string | undefined, stateDb: string | undefined): StateConfig | undefined =>
  statePostgres !== undefined
    ? { postgres: statePostgres === "env" ? {} : { url: statePostgres } }
    : stateDb !== undefined
      ? { sqlite: path.resolve(stateDb) }
      : undefined

/** What the incremental flags say: the key, the fields of `incremental` they set, how to run, where state lives. */
export const incrementalOverrides = (flags: FlagValues) => {
  const text = (name: string) => flags[name] as string | undefined
  const key = list(text("key"))
  if (key === "*") throw flagError("key", '--key names the key columns (a,b), not "*"')
  const ignore = list(text("ignore"))
  if (ignore === "*") throw flagError("ignore", '--ignore names columns (a,b), not "*"')
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
  return {
    key,
    /** Fields merged into the sync's `incremental` settings. */
    incrementalPatch: Object.keys(patch).length === 0 ? undefined : patch,
    state: stateOf(text("state-postgres"), text("state-db")),
    full: flags.full === true,
    force: flags.force === true,
    diffInDatabase: flags["diff-in-database"] !== false
  }
}

const maxRejects = (text: string | undefined): Record<string, number | undefined> => {
  if (text === undefined) return {}
  const trimmed = text.trim()
  const problem = () => flagError("max-rejects", `--max-rejects ${JSON.stringify(text)}: expected a count (100) or a share (5%)`)
  if (trimmed.endsWith("%")) {
    const percent = Number(trimmed.slice(0, -1))
    if (!Number.isFinite(percent)) throw problem()
    return { maxRejectedShare: percent / 100 }
  }
  const count = Number(trimmed)
  if (!Number.isInteger(count)) throw problem()
  return { maxRejectedRows: count }
}

/** Files that `--file` reads through DuckDB, by extension (`@tablecast/source-duckdb`); any other file is read as CSV. */
export const DUCKDB_FILE = /\.(?:parquet|ndjson|jsonl|json)$/i

/** `--duckdb a,b`: the files and folders a DuckDB query may read, absolute ("." the current folder). */
const duckdbPaths = (value: string): Array<string> => {
  const paths = value
    .split(",")
    .map((each) => each.trim())
    .filter((each) => each !== "")
  if (paths.length === 0) throw flagError("duckdb", '--duckdb needs the files or folders the query may read, a,b ("." for the current folder)')
  return paths.map((each) => path.resolve(each))
}

/** A `--file`'s source: CSV, or DuckDB for Parquet and JSON (and for any file with --duckdb). */
const fileSource = (file: string, flags: FlagValues): Record<string, unknown> => {
  const text = (name: string) => flags[name] as string | undefined
  const delimiter = text("delimiter")
  const worker = flags.worker as boolean | undefined
  if (DUCKDB_FILE.test(file) || text("duckdb") !== undefined) {
    if (delimiter !== undefined)
      throw flagError("delimiter", `--delimiter applies to a CSV file read by tablecast's own reader, not to ${path.basename(file)}`)
    if (worker !== undefined)
      throw flagError("worker", `--worker and --no-worker apply to a CSV file read by tablecast's own reader, not to ${path.basename(file)}`)
    return { type: "duckdb", file: path.resolve(file) }
  }
  return {
    type: "csv",
    path: path.resolve(file),
    ...(delimiter === undefined ? {} : { delimiter }),
    ...(worker === undefined ? {} : { worker })
  }
}

/** The source the flags name (`--file`, `--postgres`, `--snowflake`, `--duckdb`, `--bigquery`, `--databricks`), or the fields they patch into a config entry's. */
const sourceOverrides = (flags: FlagValues): Pick<SyncOverrides, "source" | "sourcePatch"> => {
  const text = (name: string) => flags[name] as string | undefined
  const file = text("file")
  const delimiter = text("delimiter")
  if (delimiter !== undefined && file === undefined && text("config") === undefined) {
    throw flagError("delimiter", "--delimiter applies to a CSV source: give --file too")
  }
  const worker = flags.worker as boolean | undefined
  if (worker !== undefined && file === undefined)
    throw flagError("worker", '--worker and --no-worker apply to a CSV file: give --file too (in a config file, the source\'s "worker")')
  const table = text("table")
  const query = text("query")
  const duckdb = text("duckdb")
  if (table !== undefined && query !== undefined) throw flagError("table", "give --table or --query, not both")
  if (file !== undefined && (table !== undefined || query !== undefined))
    throw flagError(
      "file",
      "--table and --query read a warehouse (--postgres, --snowflake, --bigquery, --databricks) or files through DuckDB (--duckdb), not a --file"
    )
  if (duckdb !== undefined && table !== undefined) throw flagError("table", "--duckdb reads files with a --query (or a --file), not a --table")
  // Paths on the command line are relative to the current folder, not to a config file.
  const target = {
    ...(table === undefined ? {} : { table }),
    ...(query === undefined ? {} : { query: query.endsWith(".sql") ? path.resolve(query) : query })
  }
  const postgres = text("postgres")
  const snowflake = text("snowflake")
  const dbtModel = text("dbt-model")
  if (dbtModel !== undefined && (table !== undefined || query !== undefined || file !== undefined))
    throw flagError("dbt-model", "--dbt-model names the table to read: give it instead of --table, --query or --file")
  const bigquery = text("bigquery")
  const databricks = text("databricks")
  const location = text("bigquery-location")
  const maxBytes = text("bigquery-max-bytes-billed")
  const apiEndpoint = text("bigquery-api-endpoint")
  if (bigquery === undefined && (location !== undefined || maxBytes !== undefined || apiEndpoint !== undefined)) {
    throw flagError(
      location !== undefined ? "bigquery-location" : maxBytes !== undefined ? "bigquery-max-bytes-billed" : "bigquery-api-endpoint",
      "--bigquery-location, --bigquery-max-bytes-billed and --bigquery-api-endpoint apply to --bigquery"
    )
  }
  if (maxBytes !== undefined && !/^[1-9]\d*$/.test(maxBytes)) {
    throw flagError("bigquery-max-bytes-billed", `--bigquery-max-bytes-billed takes a whole number of bytes, e.g. 10000000000 (got "${maxBytes}")`)
  }
  let source: Record<string, unknown> | undefined
  if (file !== undefined) source = fileSource(file, flags)
  else if (duckdb !== undefined && dbtModel !== undefined) source = { type: "duckdb" }
  else if (duckdb !== undefined) {
    if (query === undefined) throw flagError("duckdb", "--duckdb <paths> needs a --query to run over them (or read one file with --file)")
    source = { type: "duckdb", query: target.query, paths: duckdbPaths(duckdb) }
  } else if (postgres !== undefined) source = { type: "postgres", ...(postgres === "env" ? {} : { url: postgres }), ...target }
  else if (snowflake !== undefined) {
    const where = snowflake === "env" ? {} : snowflake.startsWith("snowflake://") ? { url: snowflake } : { account: snowflake }
    source = { type: "snowflake", ...where, ...target }
  } else if (bigquery !== undefined) {
    source = {
      type: "bigquery",
      ...(bigquery === "env" ? {} : { projectId: bigquery }),
      ...(location === undefined ? {} : { location }),
      ...(maxBytes === undefined ? {} : { maximumBytesBilled: maxBytes }),
      ...(apiEndpoint === undefined ? {} : { apiEndpoint }),
      ...target
    }
  } else if (databricks !== undefined) source = { type: "databricks", ...(databricks === "env" ? {} : { host: databricks }), ...target }
  return source !== undefined ? { source } : Object.keys(target).length > 0 ? { sourcePatch: target } : {}
}

/** `--dbt-model` and `--dbt-project` (relative to the current folder). */
const dbtOverrides = (flags: FlagValues): Pick<SyncOverrides, "dbt"> => {
  const model = flags["dbt-model"] as string | undefined
  const project = flags["dbt-project"] as string | undefined
  if (model === undefined && project === undefined) return {}
  return { dbt: { ...(model === undefined ? {} : { model }), ...(project === undefined ? {} : { project: path.resolve(project) }) } }
}

/** Reads the mapping flags into overrides of a config entry. */
export const mappingOverrides = (flags: FlagValues): Pick<SyncOverrides, "source" | "sourcePatch" | "spec" | "dbt"> => {
  const text = (name: string) => flags[name] as string | undefined
  const source = { ...sourceOverrides(flags), ...dbtOverrides(flags) }
  const columns = pairs(flags.column as ReadonlyArray<string> | undefined, "column")
  const excluded = list(text("exclude"))
  return {
    ...source,
    spec: {
      type: text("type"),
      event: text("event"),
      customerId: text("customer-id"),
      anonymousId: text("anonymous-id"),
      groupId: text("group-id"),
      properties: list(text("properties")),
      traits: list(text("traits")),
      groupTraits: list(text("group-traits")),
      exclude: excluded === "*" ? undefined : excluded,
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

/** Reads the delivery flags into overrides of a config entry's destination and pipeline. */
export const deliveryOverrides = (flags: FlagValues): Omit<SyncOverrides, "source" | "spec"> => ({
  destination: {
    region: flags.region,
    endpoint: flags.endpoint,
    gzip: flags.gzip,
    timeoutMillis: flags.timeout
  },
  pipeline: {
    batchProfile: flags["batch-profile"],
    batchCount: flags["batch-count"],
    batchBytes: flags["batch-bytes"],
    flushIntervalMillis: flags["flush-interval"],
    queueCapacity: flags["queue-capacity"],
    maxInFlight: flags["max-in-flight"],
    minInFlight: flags["min-in-flight"],
    maxRps: rate(flags["max-rps"], "max-rps"),
    maxAttempts: flags["max-attempts"],
    maxRetryMillis: flags["max-retry-time"],
    drainTimeoutMillis: flags["drain-timeout"],
    ...maxRejects(flags["max-rejects"] as string | undefined)
  },
  ...(flags.rejects === undefined ? {} : { rejects: path.resolve(flags.rejects as string) }),
  ...(flags["tracking-plan"] === undefined ? {} : { trackingPlan: path.resolve(flags["tracking-plan"] as string) }),
  ...(flags["tracking-plan-mode"] === undefined ? {} : { trackingPlanMode: flags["tracking-plan-mode"] as string }),
  ...(flags.warnings === undefined ? {} : { warnings: path.resolve(flags.warnings as string) }),
  ...(flags["write-key"] === undefined ? {} : { writeKey: flags["write-key"] as string })
})
