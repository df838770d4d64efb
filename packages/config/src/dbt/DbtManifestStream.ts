import { open } from "node:fs/promises"
import { ConfigError } from "../ConfigError.ts"

/**
 * The fields of a node that `parseDbtManifest` reads, by resource type; a node of another type is
 * dropped. A manifest is mostly what tablecast never reads — each model's raw and compiled SQL,
 * macros, docs, the parent and child maps — so only these are kept while the file streams by.
 */
const MODEL_FIELDS = [
  "unique_id",
  "resource_type",
  "name",
  "package_name",
  "database",
  "schema",
  "alias",
  "relation_name",
  "description",
  "version",
  "latest_version",
  "columns"
] as const
/** What a model that cannot be the one asked for keeps: enough to be named in "did you mean" and ambiguity messages. */
const MODEL_NAME_FIELDS = ["unique_id", "resource_type", "name", "package_name", "schema", "version", "latest_version"] as const
const TEST_FIELDS = ["unique_id", "resource_type", "name", "package_name", "schema", "column_name", "attached_node"] as const
const COLUMN_FIELDS = ["name", "description", "data_type", "constraints"] as const

type Json = Record<string, unknown>
const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value)

/** The named fields of an object that it has (a non-object stays as it is, for the schema to refuse). */
const pick = (value: unknown, fields: ReadonlyArray<string>): unknown => {
  if (!isObject(value)) return value
  const kept: Json = {}
  for (const field of fields) if (field in value) kept[field] = value[field]
  return kept
}

const columnsOf = (columns: unknown): unknown => {
  if (!isObject(columns)) return columns
  const kept: Json = {}
  for (const [name, column] of Object.entries(columns)) {
    const picked = pick(column, COLUMN_FIELDS)
    if (isObject(picked) && Array.isArray(picked.constraints))
      picked.constraints = picked.constraints.map((constraint) => pick(constraint, ["type"]))
    kept[name] = picked
  }
  return kept
}

const nodesOf = (dependsOn: unknown): ReadonlyArray<unknown> => (isObject(dependsOn) && Array.isArray(dependsOn.nodes) ? dependsOn.nodes : [])

/**
 * A node with only what `parseDbtManifest` reads, or undefined for a node it skips (seeds,
 * snapshots, analyses...). `whole` says whether a model keeps its docs and columns, or only its
 * names (a model that cannot be the one asked for).
 */
export const slimNode = (node: unknown, whole: (name: unknown, uniqueId: unknown) => boolean = () => true): unknown => {
  const kind = isObject(node) ? node.resource_type : undefined
  if (kind === "model") {
    if (!whole((node as Json).name, (node as Json).unique_id)) return pick(node, MODEL_NAME_FIELDS)
    const model = pick(node, MODEL_FIELDS) as Json
    const config = (node as Json).config
    if (config !== undefined) model.config = pick(config, ["materialized", "location"])
    if (model.columns !== undefined) model.columns = columnsOf(model.columns)
    return model
  }
  if (kind === "test") {
    // A test counts only for the model it is attached to: one that keeps its columns.
    const attached = [(node as Json).attached_node, ...nodesOf((node as Json).depends_on)].filter(
      (id): id is string => typeof id === "string" && id.startsWith("model.")
    )
    if (!attached.some((id) => whole(id.split(".")[2], id))) return undefined
    const test = pick(node, TEST_FIELDS) as Json
    const { test_metadata: metadata, depends_on: dependsOn } = node as Json
    if (metadata !== undefined) {
      const picked = pick(metadata, ["name", "kwargs"])
      if (isObject(picked) && isObject(picked.kwargs)) picked.kwargs = pick(picked.kwargs, ["column_name"])
      test.test_metadata = picked
    }
    if (dependsOn !== undefined) test.depends_on = pick(dependsOn, ["nodes"])
    return test
  }
  return undefined
}

/** Bytes read from the file at a time. */
const READ_BYTES = 1024 * 1024

/**
 * Reads `target/manifest.json` as it streams by (@streamparser/json), keeping its `metadata` and,
 * of its `nodes`, the models' and tests' fields that are read (`slimNode`): the JSON the manifest
 * parser needs, without the rest. A manifest of hundreds of megabytes holds one node at a time
 * (the largest, with its SQL) besides what is kept, where `JSON.parse` would hold the whole text
 * and every object of it (docs/sources/dbt.md, "Memory"). Fails with a ConfigError naming the file
 * when it is not JSON. `onMetadata` sees the metadata as soon as it is read (dbt writes it first),
 * so an unknown schema version can stop the read early by throwing. `whole` (by default, every
 * model) picks the models that keep their docs and columns.
 */
export const readManifestJson = async (
  file: string,
  onMetadata: (metadata: unknown) => void,
  whole?: (name: unknown, uniqueId: unknown) => boolean
): Promise<unknown> => {
  const { JSONParser } = await import("@streamparser/json")
  const parser = new JSONParser({ paths: ["$.metadata", "$.nodes.*"], keepStack: false })
  let metadata: unknown
  const nodes: Json = {}
  parser.onValue = ({ value, key, stack }) => {
    if (stack.length === 1 && key === "metadata") {
      metadata = value
      onMetadata(value)
    } else if (stack.length === 2 && typeof key === "string") {
      const slim = slimNode(value, whole)
      if (slim !== undefined) nodes[key] = slim
    }
  }
  const handle = await open(file, "r")
  try {
    const buffer = Buffer.allocUnsafe(READ_BYTES)
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, READ_BYTES, null)
      if (bytesRead === 0) break
      // A copy: the parser may keep a view of the bytes of an unfinished token past this call.
      parser.write(buffer.subarray(0, bytesRead).slice())
    }
    // The parser ends by itself with the document's last brace; a file cut short has not.
    if (!parser.isEnded) parser.end()
  } catch (error) {
    if (error instanceof ConfigError) throw error
    throw new ConfigError({ message: `${file} is not JSON: ${(error as Error).message}`, flag: "dbt-project" })
  } finally {
    await handle.close()
  }
  return { metadata, nodes }
}
