import * as z from "zod"
import { ConfigError } from "../ConfigError.ts"

/**
 * The manifest versions read (dbt's published schemas, https://schemas.getdbt.com/dbt/manifest/vN.json):
 * v10 (dbt 1.6), v11 (1.7) and v12 (1.8 and later). The fields read here — a node's name, package,
 * database, schema, alias, relation_name, materialization, description, columns, and a generic
 * test's test_metadata/attached_node — have the same shape in all three. An older or newer manifest
 * is refused: its fields may mean something else, and a wrong table would be read without a word.
 */
export const DBT_MANIFEST_VERSIONS = ["v10", "v11", "v12"] as const
export type DbtManifestVersion = (typeof DBT_MANIFEST_VERSIONS)[number]

const SCHEMA_URL = /^https:\/\/schemas\.getdbt\.com\/dbt\/manifest\/(v\d+)(?:\.json)?$/

const DbtColumnNode = z.object({
  name: z.string(),
  description: z.string().nullish(),
  data_type: z.string().nullish(),
  // Model contracts (v10+): `{type: "not_null" | "unique" | "primary_key" | ...}`.
  constraints: z.array(z.object({ type: z.string() }).loose()).nullish()
})

const DbtNode = z
  .object({
    unique_id: z.string(),
    resource_type: z.string(),
    name: z.string(),
    package_name: z.string(),
    database: z.string().nullish(),
    schema: z.string(),
    alias: z.string().nullish(),
    relation_name: z.string().nullish(),
    description: z.string().nullish(),
    version: z.union([z.string(), z.number()]).nullish(),
    latest_version: z.union([z.string(), z.number()]).nullish(),
    config: z.object({ materialized: z.string().nullish(), location: z.string().nullish() }).loose().nullish(),
    columns: z.record(z.string(), DbtColumnNode).nullish(),
    test_metadata: z
      .object({ name: z.string(), kwargs: z.record(z.string(), z.unknown()).nullish() })
      .loose()
      .nullish(),
    column_name: z.string().nullish(),
    attached_node: z.string().nullish(),
    depends_on: z
      .object({ nodes: z.array(z.string()).nullish() })
      .loose()
      .nullish()
  })
  .loose()

const DbtManifestFile = z
  .object({
    metadata: z.object({ dbt_schema_version: z.string(), dbt_version: z.string().nullish(), adapter_type: z.string().nullish() }).loose(),
    nodes: z.record(z.string(), z.unknown())
  })
  .loose()

/** One column of a model, as its YAML documents it. */
export interface DbtColumn {
  readonly name: string
  readonly description: string | undefined
  readonly dataType: string | undefined
  /** Tests and contract constraints on the column: `unique`, `not_null` (others are left out). */
  readonly checks: ReadonlyArray<"unique" | "not_null">
}

/** A model of a dbt project: where dbt built it, and its documentation. */
export interface DbtModel {
  readonly uniqueId: string
  readonly name: string
  readonly packageName: string
  /** A versioned model's version (dbt 1.5+); undefined for an unversioned one. */
  readonly version: string | undefined
  readonly latestVersion: string | undefined
  readonly database: string | undefined
  readonly schema: string
  /** The relation's own name: the alias, else the model's name. */
  readonly identifier: string
  /** The relation as dbt's adapter quoted it (e.g. `"analytics"."marts"."churn"`), when dbt wrote one. */
  readonly relationName: string | undefined
  readonly materialized: string | undefined
  /** dbt-duckdb's `external` materialization: the file it writes, as configured. */
  readonly location: string | undefined
  readonly description: string | undefined
  /** Documented columns, in the YAML's order. */
  readonly columns: ReadonlyArray<DbtColumn>
}

/** A manifest, read: its models by unique id. */
export interface DbtManifest {
  readonly version: DbtManifestVersion
  readonly dbtVersion: string | undefined
  /** The warehouse dbt built the models in (`postgres`, `snowflake`, `duckdb`, ...), when the manifest says (v11+). */
  readonly adapterType: string | undefined
  readonly models: ReadonlyArray<DbtModel>
}

const text = (value: string | null | undefined): string | undefined =>
  value === null || value === undefined || value.trim() === "" ? undefined : value
const versionText = (value: string | number | null | undefined) => (value === null || value === undefined ? undefined : String(value))

type Node = z.infer<typeof DbtNode>

/** `unique` / `not_null` of each (model, column), from the generic tests that are attached to it. */
const columnChecks = (nodes: ReadonlyArray<Node>): Map<string, Set<"unique" | "not_null">> => {
  const checks = new Map<string, Set<"unique" | "not_null">>()
  for (const node of nodes) {
    if (node.resource_type !== "test") continue
    const test = node.test_metadata?.name
    if (test !== "unique" && test !== "not_null") continue
    const column =
      node.column_name ?? (typeof node.test_metadata?.kwargs?.column_name === "string" ? node.test_metadata.kwargs.column_name : undefined)
    // attached_node names the model a generic test belongs to; without it, a test on one model only.
    const modelIds = node.attached_node ? [node.attached_node] : (node.depends_on?.nodes ?? []).filter((id) => id.startsWith("model."))
    if (column === undefined || modelIds.length !== 1) continue
    const key = `${modelIds[0]}\u0000${column.toLowerCase()}`
    const set = checks.get(key) ?? new Set()
    set.add(test)
    checks.set(key, set)
  }
  return checks
}

const columnsOf = (node: Node, checks: Map<string, Set<"unique" | "not_null">>): ReadonlyArray<DbtColumn> =>
  Object.values(node.columns ?? {}).map((column) => {
    const found = new Set(checks.get(`${node.unique_id}\u0000${column.name.toLowerCase()}`) ?? [])
    for (const constraint of column.constraints ?? []) {
      if (constraint.type === "not_null") found.add("not_null")
      if (constraint.type === "unique") found.add("unique")
      if (constraint.type === "primary_key") {
        found.add("unique")
        found.add("not_null")
      }
    }
    return {
      name: column.name,
      description: text(column.description),
      dataType: text(column.data_type),
      checks: (["unique", "not_null"] as const).filter((check) => found.has(check))
    }
  })

/**
 * Ids in the order localeCompare gives ASCII ids (case aside, then by code point), without it:
 * localeCompare makes ICU load its collation data, 12 MiB more RSS for one sort.
 */
const byIdIgnoringCase = (a: string, b: string): number => {
  const [lowerA, lowerB] = [a.toLowerCase(), b.toLowerCase()]
  if (lowerA !== lowerB) return lowerA < lowerB ? -1 : 1
  return a < b ? -1 : a > b ? 1 : 0
}

/** The schema version a manifest declares (`v12`), or undefined when it declares none. */
const declaredVersion = (json: unknown): string | undefined => {
  const url = (json as { metadata?: { dbt_schema_version?: unknown } } | null)?.metadata?.dbt_schema_version
  if (typeof url !== "string") return undefined
  return SCHEMA_URL.exec(url)?.[1] ?? url
}

/**
 * The schema version a manifest (`{metadata: ...}`) declares, when it is one read here; fails with a
 * ConfigError at `where` when it declares none or another.
 */
export const checkManifestVersion = (json: unknown, where: string): DbtManifestVersion => {
  const declared = declaredVersion(json)
  if (declared === undefined)
    throw new ConfigError({ message: `${where}: not a dbt manifest (no metadata.dbt_schema_version); run dbt (e.g. dbt compile) to write one` })
  if (!(DBT_MANIFEST_VERSIONS as ReadonlyArray<string>).includes(declared)) {
    throw new ConfigError({
      message: `${where}: dbt manifest schema ${declared} is not supported (tablecast reads ${DBT_MANIFEST_VERSIONS.join(", ")}: dbt 1.6 and later); regenerate it with a supported dbt version`
    })
  }
  return declared as DbtManifestVersion
}

/**
 * Reads a parsed `target/manifest.json`. Fails with a ConfigError (at `where`, e.g. the file's path)
 * when it is not a manifest, or declares a schema version not read here.
 */
export const parseDbtManifest = (json: unknown, where: string): DbtManifest => {
  const declared = checkManifestVersion(json, where)
  const file = DbtManifestFile.safeParse(json)
  if (!file.success) throw new ConfigError({ message: `${where}: not a dbt manifest (${file.error.issues[0]?.message ?? "unexpected shape"})` })
  const nodes: Array<Node> = []
  for (const [id, value] of Object.entries(file.data.nodes)) {
    const kind = (value as { resource_type?: unknown } | null)?.resource_type
    if (kind !== "model" && kind !== "test") continue
    const node = DbtNode.safeParse(value)
    if (!node.success) {
      const issue = node.error.issues[0]
      throw new ConfigError({ message: `${where}: nodes.${id}.${issue?.path.join(".") ?? ""}: ${issue?.message ?? "unexpected shape"}` })
    }
    nodes.push(node.data)
  }
  const checks = columnChecks(nodes)
  const models = nodes
    .filter((node) => node.resource_type === "model")
    .map(
      (node): DbtModel => ({
        uniqueId: node.unique_id,
        name: node.name,
        packageName: node.package_name,
        version: versionText(node.version),
        latestVersion: versionText(node.latest_version),
        database: text(node.database),
        schema: node.schema,
        identifier: text(node.alias) ?? node.name,
        relationName: text(node.relation_name),
        materialized: text(node.config?.materialized),
        location: text(node.config?.location),
        description: text(node.description),
        columns: columnsOf(node, checks)
      })
    )
    .sort((a, b) => byIdIgnoringCase(a.uniqueId, b.uniqueId))
  return {
    version: declared,
    dbtVersion: text(file.data.metadata.dbt_version),
    adapterType: text(file.data.metadata.adapter_type),
    models
  }
}

const label = (model: DbtModel) => `${model.packageName}.${model.name}${model.version === undefined ? "" : ` v${model.version}`}`

/**
 * The model a name picks: `name`, `package.name`, a model's unique id (`model.pkg.name`), with
 * `.v2` for one version of a versioned model (otherwise its latest version). Fails naming the
 * models it could mean, or the closest names, when the name picks none or several.
 */
export const findDbtModel = (manifest: DbtManifest, wanted: string): DbtModel => {
  const byId = manifest.models.find((model) => model.uniqueId === wanted)
  if (byId !== undefined) return byId
  const versioned = /^(.*)\.v([^.]+)$/.exec(wanted)
  const attempts: Array<{ readonly path: string; readonly version: string | undefined }> = [{ path: wanted, version: undefined }]
  if (versioned !== null) attempts.unshift({ path: versioned[1]!, version: versioned[2] })
  for (const { path, version } of attempts) {
    const dot = path.lastIndexOf(".")
    const [pkg, name] = dot === -1 ? [undefined, path] : [path.slice(0, dot), path.slice(dot + 1)]
    let found = manifest.models.filter((model) => model.name === name && (pkg === undefined || model.packageName === pkg))
    if (found.length === 0) continue
    if (version !== undefined) found = found.filter((model) => model.version === version)
    else if (found.some((model) => model.version !== undefined)) {
      const latest = found.filter((model) => model.version !== undefined && model.version === model.latestVersion)
      if (latest.length > 0) found = latest
    }
    if (found.length === 1) return found[0]!
    if (found.length > 1)
      throw new ConfigError({
        message: `dbt model ${JSON.stringify(wanted)} is ambiguous: ${found.map(label).join(", ")}; name it as package.model`,
        flag: "dbt-model"
      })
  }
  const near = manifest.models
    .filter((model) => model.name.toLowerCase().includes(wanted.toLowerCase()) || wanted.toLowerCase().includes(model.name.toLowerCase()))
    .slice(0, 5)
  throw new ConfigError({
    message: `no dbt model ${JSON.stringify(wanted)} in the manifest (${manifest.models.length} models)${near.length === 0 ? "" : `; did you mean ${near.map(label).join(", ")}?`}`,
    flag: "dbt-model"
  })
}
