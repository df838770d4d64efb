import type { ColumnFacts } from "../SyncProposal.ts"
import type { DbtModel } from "./DbtManifest.ts"

/**
 * A table's columns with what the dbt model says of each (matched by name, case-insensitively, as
 * the warehouses fold them): its description, and whether dbt tests it unique and not null. The
 * proposal then prefers a column the project tests unique to one that only looks unique in a sample.
 */
export const withDbtColumnDocs = <Column extends ColumnFacts>(
  columns: ReadonlyArray<Column>,
  model: DbtModel
): ReadonlyArray<Column & Pick<ColumnFacts, "declared">> => {
  const documented = new Map(model.columns.map((column) => [column.name.toLowerCase(), column]))
  return columns.map((column) => {
    const doc = documented.get(column.name.toLowerCase())
    if (doc === undefined) return column
    return {
      ...column,
      declared: {
        by: `dbt model ${model.name}`,
        unique: doc.checks.includes("unique"),
        notNull: doc.checks.includes("not_null"),
        description: doc.description
      }
    }
  })
}
