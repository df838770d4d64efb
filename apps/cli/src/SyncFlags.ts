import { Flags } from "@oclif/core"

// The flags' definitions (oclif); what their values say about a sync is read by @tablecast/config.
export { deliveryOverrides, incrementalOverrides, mappingOverrides, specFlagNames } from "@tablecast/config/node"

/** Flags that say what a sync reads and how rows become messages (sync and preview). */
export const mappingFlags = {
  config: Flags.string({
    char: "c",
    summary: "Config file with named syncs (default: tablecast.config.json when a sync name is given).",
    helpGroup: "SOURCE"
  }),
  file: Flags.string({
    char: "f",
    summary:
      "File to read: CSV, or Parquet, NDJSON (.ndjson, .jsonl) and JSON through DuckDB (by extension; a glob such as 'scores/*.parquet' reads every match).",
    helpGroup: "SOURCE"
  }),
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
    exclusive: ["file", "snowflake", "duckdb", "bigquery", "databricks"]
  }),
  snowflake: Flags.string({
    summary: 'Read from Snowflake: an account identifier, or "env" for the SNOWFLAKE_* variables (user, password or key, warehouse, ...).',
    helpGroup: "SOURCE",
    exclusive: ["file", "postgres", "duckdb", "bigquery", "databricks"]
  }),
  duckdb: Flags.string({
    summary:
      'Read local files through DuckDB with --query: the files or folders the query may read, a,b ("." for the current folder); with --file, read that file through DuckDB whatever its extension.',
    helpGroup: "SOURCE",
    exclusive: ["postgres", "snowflake", "bigquery", "databricks"]
  }),
  bigquery: Flags.string({
    summary:
      'Read from BigQuery: the project id the query job runs in, or "env" for the key file\'s project_id (credentials: the service account key file GOOGLE_APPLICATION_CREDENTIALS names).',
    helpGroup: "SOURCE",
    exclusive: ["file", "postgres", "snowflake", "duckdb", "databricks"]
  }),
  databricks: Flags.string({
    summary:
      'Read from Databricks: the workspace\'s server hostname, or "env" for DATABRICKS_HOST (the SQL warehouse: DATABRICKS_HTTP_PATH; credentials: DATABRICKS_TOKEN, or DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET).',
    helpGroup: "SOURCE",
    exclusive: ["file", "postgres", "snowflake", "duckdb", "bigquery"]
  }),
  // A group of their own: names this long would widen the SOURCE group's columns for every flag.
  "bigquery-location": Flags.string({
    summary: "BigQuery: where the query job runs, e.g. EU, US, europe-west3 (the datasets' location).",
    helpGroup: "BIGQUERY"
  }),
  "bigquery-max-bytes-billed": Flags.string({
    summary: "BigQuery: refuse to run a query that would bill more bytes than this (checked by a dry run first, and by BigQuery).",
    helpGroup: "BIGQUERY"
  }),
  "bigquery-api-endpoint": Flags.string({
    summary:
      "BigQuery: the API's base URL instead of https://bigquery.googleapis.com (a Private Service Connect endpoint; http only on loopback). BIGQUERY_EMULATOR_HOST is read too.",
    helpGroup: "BIGQUERY"
  }),
  table: Flags.string({
    summary: "Warehouse table to read, e.g. analytics.churn_scores (quoted safely: a name, never SQL).",
    helpGroup: "SOURCE"
  }),
  query: Flags.string({
    summary:
      "Warehouse query to read (or, with --duckdb, a query over local files), as SQL text or a .sql file: one SELECT, WITH, VALUES or TABLE statement, run read-only.",
    helpGroup: "SOURCE"
  }),
  "dbt-model": Flags.string({
    summary:
      "Read a dbt model's table: its name (or package.name, .v2 for a version), looked up in the dbt project's target/manifest.json; with --postgres, --snowflake, --bigquery, --databricks or --duckdb.",
    helpGroup: "SOURCE",
    exclusive: ["table", "query"]
  }),
  "dbt-project": Flags.string({
    summary: "The dbt project folder whose target/manifest.json names the models (or the manifest file itself); default: the current folder.",
    helpGroup: "SOURCE"
  }),
  type: Flags.string({
    char: "t",
    summary: "Calls per row: track, identify, group, or a list of them (identify,group); both = track,identify.",
    helpGroup: "MAPPING"
  }),
  event: Flags.string({ char: "e", summary: 'Event name of each track call, e.g. "Sales Prediction".', helpGroup: "MAPPING" }),
  "customer-id": Flags.string({ char: "u", summary: "Column whose value becomes userId.", helpGroup: "MAPPING" }),
  "anonymous-id": Flags.string({ summary: "Column whose value becomes anonymousId.", helpGroup: "MAPPING" }),
  "group-id": Flags.string({ summary: "Column whose value becomes groupId (group calls).", helpGroup: "MAPPING" }),
  properties: Flags.string({
    char: "p",
    summary: 'Columns that become properties: a,b,c, or "*" for all others (default).',
    helpGroup: "MAPPING"
  }),
  traits: Flags.string({ summary: "Columns that become identify and group traits (default: the properties).", helpGroup: "MAPPING" }),
  "group-traits": Flags.string({
    summary:
      'Columns that become group traits, the account\'s, when they differ from the user\'s: a,b,c or "*" (default: --traits). Listed ones stay off the "*" of identify and track.',
    helpGroup: "MAPPING"
  }),
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
    summary:
      'Event of the track call sent for a removed row (default "Segment Exited" for syncs with track calls; identify and group syncs clear their traits instead, and send it only when named).',
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
  "batch-profile": Flags.string({
    summary:
      "Batch settings by name: bulk (default) fills each request toward 475000 bytes, up to 2500 messages; small sends 100 messages per batch, as Segment's own libraries do. --batch-count, --batch-bytes and --flush-interval win over it.",
    options: ["bulk", "small"],
    helpGroup: "BATCHING"
  }),
  "batch-count": Flags.integer({
    summary: "Messages per batch (default 2500, the most Segment takes; bytes usually bind first).",
    helpGroup: "BATCHING"
  }),
  "batch-bytes": Flags.integer({ summary: "Request body bytes per batch (default and most 475000).", helpGroup: "BATCHING" }),
  "flush-interval": Flags.integer({
    summary: "Flush a partial batch this many ms after the last flush (default 500).",
    helpGroup: "BATCHING"
  }),
  "queue-capacity": Flags.integer({
    summary: "Messages queued before the reader waits (default 500, and with --max-rejects at least those of the 1,000 rows checked first).",
    helpGroup: "BATCHING"
  }),
  "max-in-flight": Flags.integer({
    summary:
      "Most batches posted at once: the ceiling of the adaptive limit, which starts at 4 and follows the round-trip time (default 32, at most 64).",
    helpGroup: "BATCHING"
  }),
  "min-in-flight": Flags.integer({
    summary: "Fewest batches the adaptive limit allows at once (default 2); equal to --max-in-flight, concurrency is fixed.",
    helpGroup: "BATCHING"
  }),
  "max-rps": Flags.string({
    summary:
      "Requests per second, retries included, for the whole run (default 50, as Segment asks; 0: no limit of our own). Lowered for the run on 429s. Several runs to one write key: split it between them.",
    helpGroup: "BATCHING"
  }),
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
    summary: "Stop when more rows than this are rejected: a count (100) or a share (5%). Checked on the first 1,000 rows before anything is sent.",
    helpGroup: "BATCHING"
  }),
  "tracking-plan": Flags.string({
    summary: "Check every message against this Segment tracking plan (JSON: the Public API's rules or a Config API export) before it is sent.",
    helpGroup: "CONTRACT"
  }),
  "tracking-plan-mode": Flags.string({
    summary: "What a violation of the tracking plan does: reject (default) the row, or warn: send it and count the violations.",
    options: ["reject", "warn"],
    helpGroup: "CONTRACT"
  }),
  warnings: Flags.string({
    summary:
      "With --tracking-plan-mode warn: write every row sent with warnings, with its violations, to this JSONL file (default: beside --rejects, <rejects>.warnings.jsonl).",
    helpGroup: "CONTRACT"
  }),
  "drain-timeout": Flags.integer({
    summary: "On Ctrl-C/SIGTERM, how long to flush queued batches before stopping at once (ms, default 30000).",
    helpGroup: "BATCHING"
  })
}
