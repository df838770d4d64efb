import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import path from "node:path"
import { DuckDBInstance } from "@duckdb/node-api"

/** A fresh temporary folder, removed by the returned function. */
export const tempFolder = (): { readonly dir: string; readonly remove: () => void } => {
  const dir = mkdtempSync(path.join(tmpdir(), "tablecast-duckdb-"))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

/** Runs statements on an unrestricted in-memory DuckDB: how the tests write their Parquet, JSON and CSV files. */
export const writeWithDuckDB = async (...statements: ReadonlyArray<string>): Promise<void> => {
  const instance = await DuckDBInstance.create(":memory:")
  const connection = await instance.connect()
  try {
    for (const statement of statements) await connection.run(statement)
  } finally {
    connection.closeSync()
    instance.closeSync()
  }
}
