import type { SourceItem } from "@tablecast/core"
import * as Schema from "effect/Schema"

/** A result column as row conversion needs it: its name, and how a driver's value becomes JSON. */
export interface ConvertingColumn<Raw> {
  readonly name: string
  readonly convert: (value: Raw) => unknown
}

/** One value converted; a conversion that throws names its column. */
const convertValueOf = <Raw>(column: ConvertingColumn<Raw>, value: Raw): unknown => {
  try {
    return column.convert(value)
  } catch (error) {
    throw new ColumnConversionError({
      column: column.name,
      message: `column ${JSON.stringify(column.name)}: ${error instanceof Error ? error.message : String(error)}`
    })
  }
}

/** A column's value the driver's conversion could not turn into JSON: the message names the column. */
export class ColumnConversionError extends Schema.TaggedError<ColumnConversionError>()("ColumnConversionError", {
  column: Schema.String,
  message: Schema.String
}) {}

/** A driver row (values in column order, SQL NULL as null or undefined) as the row's values. */
export const convertRow = <Raw>(columns: ReadonlyArray<ConvertingColumn<Raw>>, raw: ReadonlyArray<unknown>): Record<string, unknown> => {
  const values: Record<string, unknown> = {}
  for (let index = 0; index < columns.length; index++) {
    const column = columns[index]!
    const value = raw[index]
    const converted = value === null || value === undefined ? null : convertValueOf(column, value as Raw)
    if (column.name === "__proto__") {
      // A plain assignment would set the object's prototype instead of a property.
      Object.defineProperty(values, column.name, { value: converted, enumerable: true, writable: true, configurable: true })
    } else {
      values[column.name] = converted
    }
  }
  return values
}

/**
 * A page of driver rows as source items numbered from `rowsBefore + 1`. A row whose conversion
 * throws becomes a `Malformed` item with the reason, and the read goes on.
 */
export const convertPage = <Raw>(
  columns: ReadonlyArray<ConvertingColumn<Raw>>,
  page: ReadonlyArray<ReadonlyArray<unknown>>,
  rowsBefore: number
): Array<SourceItem> => {
  const items: Array<SourceItem> = new Array(page.length)
  for (let index = 0; index < page.length; index++) {
    const rowNumber = rowsBefore + index + 1
    try {
      items[index] = { rowNumber, values: convertRow(columns, page[index]!) }
    } catch (error) {
      items[index] = {
        _tag: "Malformed",
        malformed: { rowNumber, reason: `value conversion failed: ${error instanceof Error ? error.message : String(error)}` }
      }
    }
  }
  return items
}
