import { stat, rename } from "node:fs/promises"
import { DuckDBInstance } from "@duckdb/node-api"

/** SQL text for a string literal. */
const literal = (text: string): string => `'${text.replaceAll("'", "''")}'`

/** The benchmark's columns as a model's output table types them (as the Postgres contender's table does). */
const COLUMN_TYPES = {
  customer_id: "BIGINT",
  churn_score: "DOUBLE",
  p_iphone: "DOUBLE",
  p_apple_watch: "DOUBLE",
  p_airpods: "DOUBLE",
  p_macbook: "DOUBLE",
  p_ipad: "DOUBLE",
  ltv_90d: "DOUBLE",
  rfm_recency: "INTEGER",
  rfm_frequency: "INTEGER",
  rfm_monetary: "DOUBLE",
  segment: "VARCHAR",
  predicted_at: "TIMESTAMPTZ"
} as const

/** Runs statements on an unrestricted in-memory DuckDB (the benchmark writes its own inputs). */
export const runDuckDB = async (...statements: ReadonlyArray<string>): Promise<void> => {
  const instance = await DuckDBInstance.create(":memory:", { threads: "2" })
  const connection = await instance.connect()
  try {
    for (const statement of statements) await connection.run(statement)
  } finally {
    connection.closeSync()
    instance.closeSync()
  }
}

/**
 * The same rows as the CSV dataset, as a Parquet file beside it (`<name>.parquet`), written by
 * DuckDB once: the input of the `parquet` contender.
 */
export const ensureParquet = async (csvPath: string): Promise<string> => {
  const parquetPath = csvPath.replace(/\.csv$/, ".parquet")
  const [csv, parquet] = await Promise.all([stat(csvPath), stat(parquetPath).catch(() => undefined)])
  if (parquet !== undefined && parquet.mtimeMs >= csv.mtimeMs) return parquetPath
  const columns = Object.entries(COLUMN_TYPES)
    .map(([name, type]) => `${literal(name)}: ${literal(type)}`)
    .join(", ")
  const partial = `${parquetPath}.partial`
  await runDuckDB(
    `COPY (SELECT * FROM read_csv(${literal(csvPath)}, header = true, columns = {${columns}})) TO ${literal(partial)} (FORMAT parquet, ROW_GROUP_SIZE 100000)`
  )
  await rename(partial, parquetPath)
  return parquetPath
}
