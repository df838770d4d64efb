import { SourceError } from "@tablecast/core"
import type { ConversionOptions, ValueKind } from "./ValueKind.ts"

/**
 * Checks on a result's columns, made before any row is read. Each gives the `SourceError` to fail
 * with (its message starting with the dialect, e.g. "Postgres: "), or undefined when all is well.
 */

/** Two columns with one name: one value would overwrite the other in the row. */
export const duplicateColumnError = (
  dialect: string,
  columns: ReadonlyArray<{ readonly name: string }>,
  doing: string
): SourceError | undefined => {
  const seen = new Set<string>()
  for (const column of columns) {
    if (seen.has(column.name)) {
      return new SourceError({
        message: `${dialect}: ${doing}: the result has two columns named ${JSON.stringify(column.name)}; give one an alias (AS other_name)`,
        code: "query",
        column: column.name
      })
    }
    seen.add(column.name)
  }
  return undefined
}

/** A binary column while the options refuse them (the default): JSON cannot carry bytes. */
export const refusedBinaryError = (
  dialect: string,
  columns: ReadonlyArray<{ readonly name: string; readonly sourceType: string; readonly kind: ValueKind }>,
  options: ConversionOptions,
  doing: string
): SourceError | undefined => {
  const refused = options.binary === "refuse" ? columns.find((column) => column.kind === "binary") : undefined
  if (refused === undefined) return undefined
  return new SourceError({
    message:
      `${dialect}: ${doing}: column ${JSON.stringify(refused.name)} is binary (${refused.sourceType}), which JSON cannot carry; ` +
      `leave it out of the query, or set binary to "base64" or "hex" to send it as text`,
    code: "binary-column",
    column: refused.name
  })
}
