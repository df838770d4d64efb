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

const FOOTER = "inspect one's table: tablecast inspect --dbt-model <MODEL> --postgres … (or --snowflake, --duckdb)"

/**
 * A manifest's models (or the one asked for), as `tablecast inspect --dbt-project` prints them, a
 * model at a time: a large project's listing is written as it is made, never held as one string.
 * Joined, the pieces are `dbtModelsText` (the JSON is `JSON.stringify({ models }, null, 2)`'s).
 */
export function* dbtModelsPieces(models: ReadonlyArray<DbtModel>, json: boolean): Generator<string> {
  if (json) {
    if (models.length === 0) return yield terminalJson(JSON.stringify({ models }, null, 2))
    yield '{\n  "models": [\n'
    for (const [index, model] of models.entries())
      yield `${index === 0 ? "" : ",\n"}    ${terminalJson(JSON.stringify(model, null, 2)).replaceAll("\n", "\n    ")}`
    return yield "\n  ]\n}"
  }
  if (models.length === 0) return yield "no models in this dbt project's manifest"
  for (const [index, model] of models.entries()) yield `${index === 0 ? "" : "\n\n"}${modelText(model)}`
  yield `\n\n${FOOTER}`
}

/** The whole listing as one string (no final newline). */
export const dbtModelsText = (models: ReadonlyArray<DbtModel>, json: boolean): string => [...dbtModelsPieces(models, json)].join("")
