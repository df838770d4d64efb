import { SourceError } from "@tablecast/core"

/** A BigQuery table: its dataset and name, and the project when the name gives one. */
export interface BigQueryTableName {
  readonly project: string | undefined
  readonly dataset: string
  readonly name: string
}

const DATASET = /^[A-Za-z0-9_]{1,1024}$/
// Table names take letters, marks, numbers, connectors, dashes and spaces (GoogleSQL's rules).
const TABLE = /^[\p{L}\p{M}\p{N}\p{Pc}\p{Pd} ]{1,1024}$/u
const PROJECT = /^(?:[a-z][a-z0-9.-]*:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/

/**
 * `project.dataset.table` or `dataset.table`, each part optionally in backquotes (or the whole
 * path in one pair). A domain-scoped project (`example.com:project`) keeps its dots.
 */
export const parseTableName = (text: string): BigQueryTableName => {
  const trimmed = text.trim()
  const unquoted = trimmed.replaceAll("`", "")
  const parts = unquoted.split(".")
  const refuse = (why: string) =>
    new SourceError({ message: `BigQuery: table "${trimmed}" ${why}; write it as dataset.table or project.dataset.table`, code: "config" })
  if (parts.length < 2) throw refuse("has no dataset")
  const name = parts.at(-1)!
  const dataset = parts.at(-2)!
  const project = parts.length > 2 ? parts.slice(0, -2).join(".") : undefined
  if (!TABLE.test(name)) throw refuse(`has a table name BigQuery does not allow ("${name}")`)
  if (!DATASET.test(dataset)) throw refuse(`has a dataset name BigQuery does not allow ("${dataset}": letters, digits and underscores only)`)
  if (project !== undefined && !PROJECT.test(project)) throw refuse(`has a project id BigQuery does not allow ("${project}")`)
  return { project, dataset, name }
}

/** The table as GoogleSQL, each part in backquotes: `` `project`.`dataset`.`table` ``. */
export const quoteTableName = (table: BigQueryTableName): string =>
  [table.project, table.dataset, table.name]
    .filter((part) => part !== undefined)
    .map((part) => `\`${part}\``)
    .join(".")
