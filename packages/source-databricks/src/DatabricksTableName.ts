import { TableNameError } from "@tablecast/source-sql"

/** A Unity Catalog table name; an undefined `database` (catalog) or `schema` is the session's. */
export interface TableName {
  readonly database: string | undefined
  readonly schema: string | undefined
  readonly name: string
}

/** Splits on dots outside backticks; a backticked part keeps its text, and ``` `` ``` inside means one backtick. */
const splitParts = (text: string): Array<string> => {
  const parts: Array<string> = []
  let index = 0
  for (;;) {
    while (text[index] === " " || text[index] === "\t") index++
    let part = ""
    if (text[index] === "`") {
      index++
      for (;;) {
        const close = text.indexOf("`", index)
        if (close === -1) throw new TableNameError({ message: `unclosed backtick in table name ${JSON.stringify(text)}` })
        part += text.slice(index, close)
        index = close + 1
        if (text[index] !== "`") break
        part += "`"
        index++
      }
    } else {
      const match = /^[^.`\s]+/.exec(text.slice(index))
      if (match === null) throw new TableNameError({ message: `empty part in table name ${JSON.stringify(text)}` })
      // Unquoted identifiers are case-insensitive in Databricks; Unity Catalog stores them in lower case.
      part = match[0].toLowerCase()
      index += match[0].length
    }
    if (part === "") throw new TableNameError({ message: `empty part in table name ${JSON.stringify(text)}` })
    parts.push(part)
    while (text[index] === " " || text[index] === "\t") index++
    if (index === text.length) return parts
    if (text[index] !== ".")
      throw new TableNameError({ message: `unexpected ${JSON.stringify(text[index])} in table name ${JSON.stringify(text)}` })
    index++
  }
}

/** Parses `name`, `schema.name` or `catalog.schema.name`; throws a `TableNameError` saying what is wrong. */
export const parseTableName = (text: string): TableName => {
  const parts = splitParts(text)
  if (parts.length > 3) {
    throw new TableNameError({
      message: `table name ${JSON.stringify(text)} has ${parts.length} parts; write name, schema.name or catalog.schema.name`
    })
  }
  const [name, schema, database] = [...parts].reverse()
  return { database, schema, name: name! }
}

/** One identifier in backticks, a backtick inside doubled: whatever it holds, it stays a name. */
export const quoteIdentifier = (part: string): string => `\`${part.replaceAll("`", "``")}\``

const partsOf = (table: TableName): Array<string> =>
  [table.database, table.schema, table.name].filter((part): part is string => part !== undefined)

/** The table as Databricks SQL, e.g. `` `main`.`scores`.`churn` ``. */
export const quoteTableName = (table: TableName): string => partsOf(table).map(quoteIdentifier).join(".")

/** Databricks table names for `resolveTarget`. */
export const DatabricksTableName = {
  dialect: "Databricks",
  parse: parseTableName,
  quote: quoteTableName,
  format: (table: TableName) =>
    partsOf(table)
      .map((part) => (/^[a-z_][a-z0-9_]*$/.test(part) ? part : quoteIdentifier(part)))
      .join(".")
}
