import { ConfigError } from "../ConfigError.ts"
import type { DbtModel } from "./DbtManifest.ts"

/**
 * How one warehouse names a dbt model's relation. dbt writes `relation_name` as its adapter quoted
 * it (dbt-postgres and dbt-duckdb quote every part, dbt-snowflake none by default); a quoted part
 * keeps its case, an unquoted one becomes what the warehouse folds it to. A new source (BigQuery,
 * Databricks) plugs in with its own entry: its quote character, its folding, its parts, and how its
 * `table` option is written.
 */
export interface DbtRelationRules {
  /** The warehouse, as messages name it. */
  readonly warehouse: string
  /** The identifier quote dbt's adapter writes in relation_name. */
  readonly quote: string
  /** What an unquoted identifier becomes: folded to lower or upper case, or kept as written. */
  readonly fold: "lower" | "upper" | "none"
  /** Whether dbt's adapter quotes database, schema and identifier by default (used without relation_name). */
  readonly quotedByDefault: boolean
  /** The parts the source's `table` option takes: schema.name (2) or database.schema.name (3). */
  readonly parts: 2 | 3
  /** The `table` option's text for the exact identifiers. */
  readonly tableText: (identifiers: ReadonlyArray<string>) => string
}

/** tablecast's table-name syntax (source-sql TableName): every part double-quoted, `""` for `"`. */
const doubleQuoted = (identifiers: ReadonlyArray<string>) => identifiers.map((part) => `"${part.replaceAll('"', '""')}"`).join(".")

/** Every part in backticks, a backtick inside doubled (Databricks SQL, GoogleSQL). */
const backticked = (identifiers: ReadonlyArray<string>) => identifiers.map((part) => `\`${part.replaceAll("`", "``")}\``).join(".")

/** The relation rules of each source that reads a table, by source type. */
export const dbtRelationRules: Readonly<Record<string, DbtRelationRules>> = {
  // The connection picks the database: the table option is schema.name.
  postgres: { warehouse: "Postgres", quote: '"', fold: "lower", quotedByDefault: true, parts: 2, tableText: doubleQuoted },
  snowflake: { warehouse: "Snowflake", quote: '"', fold: "upper", quotedByDefault: false, parts: 3, tableText: doubleQuoted },
  // dbt-databricks writes `catalog`.`schema`.`name`; Unity Catalog keeps unquoted names in lower case.
  databricks: { warehouse: "Databricks", quote: "`", fold: "lower", quotedByDefault: true, parts: 3, tableText: backticked },
  // dbt-bigquery writes `project`.`dataset`.`name`; dataset and table names are case-sensitive.
  bigquery: { warehouse: "BigQuery", quote: "`", fold: "none", quotedByDefault: true, parts: 3, tableText: backticked }
}

/** Where a model's rows are, as fields of the source entry: `table` for a warehouse, `file` for DuckDB. */
export type DbtSourceFields = { readonly table: string } | { readonly file: string }

/** Splits a relation name on dots outside quotes; a quoted part is exact, an unquoted one folded. */
export const splitRelationName = (relation: string, rules: Pick<DbtRelationRules, "quote" | "fold">): ReadonlyArray<string> => {
  const fold = (part: string) => (rules.fold === "lower" ? part.toLowerCase() : rules.fold === "upper" ? part.toUpperCase() : part)
  const parts: Array<string> = []
  let index = 0
  const q = rules.quote
  while (index <= relation.length) {
    if (relation.startsWith(q, index)) {
      let value = ""
      index += q.length
      for (;;) {
        const close = relation.indexOf(q, index)
        if (close === -1) throw new ConfigError({ message: `dbt relation_name ${relation}: unclosed quote`, flag: "dbt-model" })
        value += relation.slice(index, close)
        if (relation.startsWith(q, close + q.length)) {
          value += q
          index = close + 2 * q.length
        } else {
          index = close + q.length
          break
        }
      }
      parts.push(value)
    } else {
      const dot = relation.indexOf(".", index)
      const end = dot === -1 ? relation.length : dot
      parts.push(fold(relation.slice(index, end).trim()))
      index = end
    }
    if (index >= relation.length) break
    if (relation[index] !== ".")
      throw new ConfigError({ message: `dbt relation_name ${relation}: unexpected text after a quoted part`, flag: "dbt-model" })
    index++
  }
  return parts
}

const modelLabel = (model: DbtModel) => `dbt model ${model.packageName}.${model.name}`

/** The exact identifiers (database, schema, name) of a model's relation under `rules`. */
const identifiersOf = (model: DbtModel, rules: DbtRelationRules): ReadonlyArray<string> => {
  if (model.relationName !== undefined) return splitRelationName(model.relationName, rules)
  const written = [model.database, model.schema, model.identifier].filter((part): part is string => part !== undefined)
  return rules.quotedByDefault ? written : written.map((part) => splitRelationName(part, rules)[0]!)
}

/**
 * Where a sync of `sourceType` reads `model`: a pure function of the manifest's model and the source
 * type (no connection, no file read). `file` of a DuckDB model is as configured (relative to the dbt
 * project folder when not absolute). Fails with a ConfigError when the model has no relation the
 * source can read: an ephemeral model, a DuckDB model kept inside a database file, a source without rules.
 */
export const dbtSourceFields = (model: DbtModel, sourceType: string): DbtSourceFields => {
  if (model.materialized === "ephemeral")
    throw new ConfigError({
      message: `${modelLabel(model)} is ephemeral: dbt builds no table for it, so there is nothing to read`,
      flag: "dbt-model"
    })
  if (sourceType === "duckdb") {
    if (model.materialized === "external" && model.location !== undefined) return { file: model.location }
    throw new ConfigError({
      message: `${modelLabel(model)} is materialized as ${model.materialized ?? "a relation"} inside a DuckDB database file, which the DuckDB source does not open (it reads files only): materialize it as external with a location (dbt-duckdb), or read it with --duckdb <file> --query`,
      flag: "dbt-model"
    })
  }
  const rules = dbtRelationRules[sourceType]
  if (rules === undefined) {
    throw new ConfigError({
      message: `--dbt-model reads a warehouse's table (${[...Object.keys(dbtRelationRules), "duckdb"].join(", ")}), not a ${sourceType} source`,
      flag: "dbt-model"
    })
  }
  const identifiers = identifiersOf(model, rules)
  if (identifiers.length === 0 || identifiers.some((part) => part === ""))
    throw new ConfigError({ message: `${modelLabel(model)}: relation ${model.relationName ?? ""} has an empty part`, flag: "dbt-model" })
  return { table: rules.tableText(identifiers.slice(-rules.parts)) }
}
