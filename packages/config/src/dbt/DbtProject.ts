import { readFileSync, statSync } from "node:fs"
import path from "node:path"
import { ConfigError } from "../ConfigError.ts"
import { type DbtManifest, findDbtModel, parseDbtManifest } from "./DbtManifest.ts"
import { dbtSourceFields } from "./DbtRelation.ts"

/** A sync's dbt model: which one, and the dbt project (folder, or its manifest.json) it belongs to. */
export interface DbtModelRef {
  readonly model: string
  /** Absolute; the folder holding target/manifest.json, or the manifest file itself. */
  readonly project: string
}

/** The manifest of a dbt project: `<project>/target/manifest.json`, or `project` itself when it names a file. */
export const manifestPath = (project: string): string => {
  try {
    if (statSync(project).isFile()) return project
  } catch {
    // Reported below, with the path that was looked for.
  }
  return path.join(project, "target", "manifest.json")
}

/** Reads and checks a dbt project's manifest; fails with a ConfigError naming the file. */
export const loadDbtManifest = (project: string): DbtManifest => {
  const file = manifestPath(project)
  let text: string
  try {
    text = readFileSync(file, "utf8")
  } catch (error) {
    const code = (error as { code?: string }).code
    throw new ConfigError({
      message:
        code === "ENOENT"
          ? `no dbt manifest at ${file}: run dbt (dbt compile, run or build) in ${project} first, or point --dbt-project at the project folder`
          : `cannot read the dbt manifest ${file}: ${(error as Error).message}`,
      flag: "dbt-project"
    })
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new ConfigError({ message: `${file} is not JSON: ${(error as Error).message}`, flag: "dbt-project" })
  }
  return parseDbtManifest(json, file)
}

/**
 * A source entry with the dbt model's relation filled in: `table` for a warehouse, `file` for a
 * DuckDB (external) model. The entry must not name a table or query of its own: the model does.
 */
export const withDbtRelation = (source: Record<string, unknown>, ref: DbtModelRef): Record<string, unknown> => {
  if (source.table !== undefined || source.query !== undefined || (source.type !== "duckdb" && source.file !== undefined)) {
    throw new ConfigError({
      message: "--dbt-model names the table to read: give it instead of --table or --query, not with them",
      flag: "dbt-model"
    })
  }
  const type = String(source.type)
  const manifest = loadDbtManifest(ref.project)
  const fields = dbtSourceFields(findDbtModel(manifest, ref.model), type)
  if ("file" in fields) {
    const { paths: _paths, query: _query, ...rest } = source
    const folder = manifestPath(ref.project) === ref.project ? path.dirname(path.dirname(ref.project)) : ref.project
    return { ...rest, file: path.resolve(folder, fields.file) }
  }
  return { ...source, ...fields }
}
