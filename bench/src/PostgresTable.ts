import { execFile } from "node:child_process"
import { promisify } from "node:util"
import type { DatasetInfo } from "./Dataset.ts"

const run = promisify(execFile)

/** Runs SQL with psql, against the server the PG* variables name; returns its unaligned output. */
const psql = async (args: ReadonlyArray<string>): Promise<string> => {
  const { stdout } = await run("psql", ["-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", ...args], {
    maxBuffer: 1 << 20
  })
  return stdout.trim()
}

/** Whether the PG* variables point at a server that answers. */
export const postgresAvailable = async (): Promise<boolean> => {
  if (process.env["PGHOST"] === undefined) return false
  try {
    return (await psql(["-c", "SELECT 1"])) === "1"
  } catch {
    return false
  }
}

/**
 * Loads the dataset into a table of the same rows (`tablecast_bench.scores_<rows>_<seed>`, a
 * schema of its own so as not to mix with the tests' tables), typed as a model's output table
 * would be, unless a table of that name already holds that many rows.
 */
export const ensurePostgresTable = async (dataset: DatasetInfo): Promise<string> => {
  const table = `tablecast_bench.scores_${dataset.rows}_${dataset.seed}`
  const count = await psql(["-c", `SELECT count(*) FROM ${table}`]).catch(() => "")
  if (count === String(dataset.rows)) return table
  await psql([
    "-c",
    "CREATE SCHEMA IF NOT EXISTS tablecast_bench",
    "-c",
    `DROP TABLE IF EXISTS ${table}`,
    "-c",
    `CREATE TABLE ${table} (
       customer_id bigint PRIMARY KEY,
       churn_score double precision, p_iphone double precision, p_apple_watch double precision,
       p_airpods double precision, p_macbook double precision, p_ipad double precision,
       ltv_90d double precision, rfm_recency integer, rfm_frequency integer, rfm_monetary double precision,
       segment text, predicted_at timestamptz)`,
    "-c",
    `\\copy ${table} FROM '${dataset.path.replaceAll("'", "''")}' WITH (FORMAT csv, HEADER true)`,
    "-c",
    `VACUUM ANALYZE ${table}`
  ])
  return table
}
