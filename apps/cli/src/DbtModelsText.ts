import type { DbtModel } from "@tablecast/config"
import { terminalJson, terminalText } from "./TerminalText.ts"

const one = (text: string | undefined) => (text === undefined ? "" : text.replace(/\s+/g, " ").trim())

/** One model: where dbt built it, its description, and its documented columns with their tests. */
const modelText = (model: DbtModel): string => {
  const where = model.relationName ?? (model.location === undefined ? `${model.schema}.${model.identifier}` : model.location)
  const lines = [
    `${model.packageName}.${model.name}${model.version === undefined ? "" : ` v${model.version}`}  ${model.materialized ?? "?"}  ${where}`
  ]
  if (model.description !== undefined) lines.push(`  ${one(model.description)}`)
  for (const column of model.columns) {
    const tests = column.checks.length === 0 ? "" : `  [${column.checks.join(", ")}]`
    lines.push(
      `    - ${column.name}${column.dataType === undefined ? "" : ` (${column.dataType})`}${tests}${column.description === undefined ? "" : `: ${one(column.description)}`}`
    )
  }
  // Each line on its own: names and docs come from the manifest, and are shown, never obeyed, by the terminal.
  return lines.map(terminalText).join("\n")
}

/** A manifest's models (or the one asked for), as `tablecast inspect --dbt-project` prints them (no final newline). */
export const dbtModelsText = (models: ReadonlyArray<DbtModel>, json: boolean): string => {
  if (json) return terminalJson(JSON.stringify({ models }, null, 2))
  if (models.length === 0) return "no models in this dbt project's manifest"
  return `${models.map(modelText).join("\n\n")}\n\ninspect one's table: tablecast inspect --dbt-model <MODEL> --postgres … (or --snowflake, --duckdb)`
}
