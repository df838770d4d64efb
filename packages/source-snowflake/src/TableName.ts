/**
 * A table name as the user wrote it (`orders`, `analytics.orders`, `shop.analytics."Order Items"`),
 * parsed into identifiers and always quoted when it reaches SQL: whatever the text holds, it names a
 * table (that may not exist), it is never SQL. Unquoted parts fold to upper case, as Snowflake does.
 */
export interface TableName {
  /** Database, when given; otherwise the session's. */
  readonly database: string | undefined
  /** Schema, when given; otherwise the session's. */
  readonly schema: string | undefined
  readonly name: string
}

/** Why a table name could not be parsed. */
export class TableNameError extends Error {
  override readonly name = "TableNameError"
}

/** Splits on dots outside double quotes; a quoted part keeps its case and `""` means `"`. */
export const splitIdentifiers = (text: string, fold: (part: string) => string): ReadonlyArray<string> => {
  const parts: Array<string> = []
  let index = 0
  for (;;) {
    while (text[index] === " " || text[index] === "\t") index++
    if (text[index] === '"') {
      let value = ""
      index++
      for (;;) {
        const close = text.indexOf('"', index)
        if (close === -1) throw new TableNameError(`unclosed double quote in table name ${JSON.stringify(text)}`)
        value += text.slice(index, close)
        if (text[close + 1] === '"') {
          value += '"'
          index = close + 2
        } else {
          index = close + 1
          break
        }
      }
      while (text[index] === " " || text[index] === "\t") index++
      if (value === "") throw new TableNameError(`empty quoted identifier in table name ${JSON.stringify(text)}`)
      parts.push(value)
    } else {
      const dot = text.indexOf(".", index)
      const end = dot === -1 ? text.length : dot
      const raw = text.slice(index, end).trim()
      if (raw.includes('"')) throw new TableNameError(`misplaced double quote in table name ${JSON.stringify(text)}`)
      if (raw === "") throw new TableNameError(`empty part in table name ${JSON.stringify(text)}`)
      parts.push(fold(raw))
      index = end
    }
    if (index >= text.length) return parts
    if (text[index] !== ".") {
      throw new TableNameError(`unexpected text after a quoted identifier in table name ${JSON.stringify(text)}`)
    }
    index++
  }
}

/** Parses `name`, `schema.name` or `database.schema.name`. */
export const parseTableName = (text: string): TableName => {
  const parts = splitIdentifiers(text, (part) => part.toUpperCase())
  if (parts.length === 1) return { database: undefined, schema: undefined, name: parts[0]! }
  if (parts.length === 2) return { database: undefined, schema: parts[0]!, name: parts[1]! }
  if (parts.length === 3) return { database: parts[0]!, schema: parts[1]!, name: parts[2]! }
  throw new TableNameError(
    `table name ${JSON.stringify(text)} has ${parts.length} parts; write name, schema.name or database.schema.name`
  )
}

/** One identifier as SQL: always double-quoted, inner quotes doubled. */
export const quoteIdentifier = (identifier: string): string => `"${identifier.replaceAll('"', '""')}"`

/** The table as SQL, e.g. `"ANALYTICS"."ORDERS"`. */
export const quoteTableName = (table: TableName): string =>
  [table.database, table.schema, table.name]
    .filter((part): part is string => part !== undefined)
    .map(quoteIdentifier)
    .join(".")
