import { execFile, spawn } from "node:child_process"
import { promisify } from "node:util"
import { builtEntry } from "../Paths.ts"
import { median } from "../Summary.ts"
import { tolerance, tolerantColumns } from "./ChangedDataset.ts"

// The in-database diff prototype of issue #6: a snapshot table (key, fingerprint) beside the
// source table, and a query that returns only the rows whose fingerprint differs, so that unchanged
// rows never leave the server. Measured, not part of the product.

const execFileAsync = promisify(execFile)

/** Runs SQL with psql against the PG* variables' server; returns its unaligned output. */
export const psql = async (...commands: ReadonlyArray<string>): Promise<string> => {
  const { stdout } = await execFileAsync(
    "psql",
    ["-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", ...commands.flatMap((command) => ["-c", command])],
    {
      maxBuffer: 1 << 24
    }
  )
  return stdout.trim()
}

/** Seconds psql takes to run `COPY (query) TO STDOUT`, its output thrown away: the query and the transfer. */
export const copyOutSeconds = (query: string): Promise<number> =>
  new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", `COPY (${query}) TO STDOUT`], { stdio: ["ignore", "ignore", "pipe"] })
    let stderr = ""
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    child.on("error", reject)
    child.on("close", (code) =>
      code === 0 ? resolve((performance.now() - started) / 1000) : reject(new Error(`psql COPY failed (${code}): ${stderr.trim()}`))
    )
  })

/** Seconds of a statement run with psql (several statements: one session, in order). */
export const psqlSeconds = async (...commands: ReadonlyArray<string>): Promise<number> => {
  const started = performance.now()
  await psql(...commands)
  return (performance.now() - started) / 1000
}

/** The server's own execution time of a query (EXPLAIN ANALYZE, without per-node timing), in seconds. */
export const serverSeconds = async (query: string): Promise<number> => {
  const plan = await psql(`EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ${query}`)
  return (JSON.parse(plan) as Array<{ "Execution Time": number }>)[0]!["Execution Time"] / 1000
}

/** Rows a query returns. */
export const countOf = async (query: string): Promise<number> => Number(await psql(`SELECT count(*) FROM (${query}) AS q`))

/** Reads a table or query through tablecast's Postgres source in a process of its own. */
export const sourceRead = (kind: "table" | "query", target: string): Promise<{ rows: number; seconds: number; processSeconds: number }> =>
  new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(process.execPath, [builtEntry("incremental/runners/postgresRead.js"), kind, target], { stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    child.on("error", reject)
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`postgresRead failed (${code}): ${stderr.trim().slice(-500)}`))
      const out = JSON.parse(stdout.trim().split("\n").at(-1)!) as { rows: number; seconds: number }
      resolve({ ...out, processSeconds: (performance.now() - started) / 1000 })
    })
  })

/** The columns whose any change counts (the timestamp is ignored, the tolerant ones are compared apart). */
const countedColumns = ["customer_id", "ltv_90d", "rfm_recency", "rfm_frequency", "rfm_monetary", "segment"] as const

/** The two prototypes' snapshot tables and queries for a source table. */
export const diffQueries = (base: string) => {
  const naiveSnapshot = `${base}_snap_md5`
  const tolerantSnapshot = `${base}_snap_tol`
  const countedFingerprint = (alias: string) => `md5(row(${countedColumns.map((column) => `${alias}.${column}`).join(", ")})::text)`
  return {
    naiveSnapshot,
    tolerantSnapshot,
    /** Builds both snapshot tables from `base` (what a first, full run would leave behind). */
    buildSnapshots: [
      `DROP TABLE IF EXISTS ${naiveSnapshot}, ${tolerantSnapshot}`,
      `CREATE TABLE ${naiveSnapshot} AS SELECT customer_id, md5(t::text) AS fp FROM ${base} AS t`,
      `ALTER TABLE ${naiveSnapshot} ADD PRIMARY KEY (customer_id)`,
      `CREATE TABLE ${tolerantSnapshot} AS SELECT customer_id, ${countedFingerprint("t")} AS fp, ${tolerantColumns.join(", ")} FROM ${base} AS t`,
      `ALTER TABLE ${tolerantSnapshot} ADD PRIMARY KEY (customer_id)`,
      `VACUUM ANALYZE ${naiveSnapshot}`,
      `VACUUM ANALYZE ${tolerantSnapshot}`
    ],
    /** The brief's query: every row whose whole-row md5 differs (no tolerance, the timestamp counts). */
    naive: (table: string) =>
      `SELECT t.* FROM ${table} AS t LEFT JOIN ${naiveSnapshot} AS s USING (customer_id) WHERE s.fp IS DISTINCT FROM md5(t::text)`,
    /** As tablecast classifies: md5 of the counted columns, tolerant columns compared with their stored values. */
    tolerant: (table: string) =>
      `SELECT t.* FROM ${table} AS t LEFT JOIN ${tolerantSnapshot} AS s USING (customer_id) ` +
      `WHERE s.customer_id IS NULL OR s.fp <> ${countedFingerprint("t")} OR ` +
      tolerantColumns.map((column) => `abs(t.${column} - s.${column}) >= ${tolerance}`).join(" OR "),
    /** Snapshot keys no source row has any more. */
    removed: (table: string) =>
      `SELECT s.customer_id FROM ${naiveSnapshot} AS s WHERE NOT EXISTS (SELECT 1 FROM ${table} AS t WHERE t.customer_id = s.customer_id)`,
    /** Advancing the snapshot after a delivery: upserting the fingerprints of the rows sent. */
    advance: (table: string) =>
      `INSERT INTO ${naiveSnapshot} (customer_id, fp) SELECT customer_id, md5(t::text) FROM (` +
      `SELECT t.* FROM ${table} AS t LEFT JOIN ${naiveSnapshot} AS s USING (customer_id) WHERE s.fp IS DISTINCT FROM md5(t::text)) AS t ` +
      "ON CONFLICT (customer_id) DO UPDATE SET fp = excluded.fp"
  }
}

/** A copy of `base`'s shape loaded from a CSV file, unless it already holds that many rows. */
export const ensureTableFromCsv = async (base: string, table: string, csvPath: string, rows: number): Promise<void> => {
  const count = await psql(`SELECT count(*) FROM ${table}`).catch(() => "")
  if (count === String(rows)) return
  await psql(
    `DROP TABLE IF EXISTS ${table}`,
    `CREATE TABLE ${table} (LIKE ${base} INCLUDING ALL)`,
    `\\copy ${table} FROM '${csvPath.replaceAll("'", "''")}' WITH (FORMAT csv, HEADER true)`,
    `VACUUM ANALYZE ${table}`
  )
}

export interface TimedQuery {
  readonly label: string
  readonly rows: number
  /** Median seconds of `COPY (query) TO STDOUT` through psql: the query and the transfer. */
  readonly copySeconds: number
  /** The server's execution time (EXPLAIN ANALYZE). */
  readonly serverSeconds: number
}

/** Times a query `repeat` times with psql and once with EXPLAIN ANALYZE. */
export const timeQuery = async (label: string, query: string, repeat: number): Promise<TimedQuery> => {
  const copies: Array<number> = []
  for (let i = 0; i < repeat; i++) copies.push(await copyOutSeconds(query))
  return { label, rows: await countOf(query), copySeconds: median(copies), serverSeconds: await serverSeconds(query) }
}
