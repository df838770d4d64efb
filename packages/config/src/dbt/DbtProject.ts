import { constants, statSync } from "node:fs"
import { access } from "node:fs/promises"
import path from "node:path"
import { ConfigError } from "../ConfigError.ts"
import { checkManifestVersion, type DbtManifest, findDbtModel, parseDbtManifest } from "./DbtManifest.ts"
import { readManifestJson } from "./DbtManifestStream.ts"
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

/**
 * Whether a model named `name` (id `uniqueId`) can be the one `wanted` picks (findDbtModel): its
 * unique id, or its name as the last part of `wanted`, with or without a `.vN` version.
 */
export const mayBeWanted = (wanted: string) => {
  const last = (text: string) => text.slice(text.lastIndexOf(".") + 1)
  const unversioned = /^(.*)\.v[^.]+$/.exec(wanted)?.[1]
  const names = new Set([last(wanted), ...(unversioned === undefined ? [] : [last(unversioned)])])
  return (name: unknown, uniqueId: unknown): boolean => uniqueId === wanted || (typeof name === "string" && names.has(name))
}

/**
 * Reads and checks a dbt project's manifest as it streams by (DbtManifestStream.ts: a large
 * manifest is never held whole); fails with a ConfigError naming the file. With `wanted` (a model
 * as `--dbt-model` names it), only the models that name can pick keep their docs and columns: the
 * others keep their names, for findDbtModel's messages.
 */
export const loadDbtManifest = async (project: string, wanted?: string): Promise<DbtManifest> => {
  const file = manifestPath(project)
  try {
    await access(file, constants.R_OK)
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
  // The version is checked as soon as the metadata is read: an unknown one stops the read there.
  const json = await readManifestJson(
    file,
    (metadata) => checkManifestVersion({ metadata }, file),
    wanted === undefined ? undefined : mayBeWanted(wanted)
  )
  return parseDbtManifest(json, file)
}

/**
 * A source entry with the dbt model's relation filled in: `table` for a warehouse, `file` for a
 * DuckDB (external) model. The entry must not name a table or query of its own: the model does.
 */
export const withDbtRelation = async (
  source: Record<string, unknown>,
  ref: DbtModelRef,
  /** The project's manifest when the caller has read it already. */
  loaded?: DbtManifest
): Promise<Record<string, unknown>> => {
  if (source.table !== undefined || source.query !== undefined || (source.type !== "duckdb" && source.file !== undefined)) {
    throw new ConfigError({
      message: "--dbt-model names the table to read: give it instead of --table or --query, not with them",
      flag: "dbt-model"
    })
  }
  const type = String(source.type)
  const manifest = loaded ?? (await loadDbtManifest(ref.project, ref.model))
  const fields = dbtSourceFields(findDbtModel(manifest, ref.model), type)
  if ("file" in fields) {
    const { paths: _paths, query: _query, ...rest } = source
    const folder = manifestPath(ref.project) === ref.project ? path.dirname(path.dirname(ref.project)) : ref.project
    return { ...rest, file: path.resolve(folder, fields.file) }
  }
  return { ...source, ...fields }
}
