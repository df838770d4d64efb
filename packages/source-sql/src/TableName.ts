/**
 * A table name as the user wrote it (`orders`, `analytics.orders`, `"My Schema"."Weird ""Table"" name"`),
 * parsed into identifiers and always quoted when it reaches SQL: whatever the text holds, it names a
 * table (that may not exist), it is never SQL. Databases differ in two rules only, which a
 * `TableNameSyntax` is made with: the case unquoted parts fold to, and how many parts a name has.
 */
import * as Schema from "effect/Schema"

/** `name` or `schema.name`: for a database read one at a time per connection (Postgres). */
export interface SchemaTableName {
  /** Schema, when given; otherwise the session's (Postgres: the search_path decides). */
  readonly schema: string | undefined
  readonly name: string
}

/** `name`, `schema.name` or `database.schema.name` (Snowflake). */
export interface DatabaseTableName extends SchemaTableName {
  /** Database, when given; otherwise the session's. */
  readonly database: string | undefined
}

/** Why a table name could not be parsed. */
export class TableNameError extends Schema.TaggedError<TableNameError>()("TableNameError", { message: Schema.String }) {}

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
        if (close === -1) throw new TableNameError({ message: `unclosed double quote in table name ${JSON.stringify(text)}` })
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
      if (value === "") throw new TableNameError({ message: `empty quoted identifier in table name ${JSON.stringify(text)}` })
      parts.push(value)
    } else {
      const dot = text.indexOf(".", index)
      const end = dot === -1 ? text.length : dot
      const raw = text.slice(index, end).trim()
      if (raw.includes('"')) throw new TableNameError({ message: `misplaced double quote in table name ${JSON.stringify(text)}` })
      if (raw === "") throw new TableNameError({ message: `empty part in table name ${JSON.stringify(text)}` })
      parts.push(fold(raw))
      index = end
    }
    if (index >= text.length) return parts
    if (text[index] !== ".") {
      throw new TableNameError({ message: `unexpected text after a quoted identifier in table name ${JSON.stringify(text)}` })
    }
    index++
  }
}

/** One identifier as SQL: always double-quoted, inner quotes doubled. */
export const quoteIdentifier = (identifier: string): string => `"${identifier.replaceAll('"', '""')}"`

/** A database's rules for table names. */
export interface TableNameRules {
  /** The database, as messages name it (e.g. "Postgres"). */
  readonly dialect: string
  /** The case an unquoted identifier folds to: Postgres folds to lower case, Snowflake to upper. */
  readonly fold: "lower" | "upper"
  /** At most `schema.name` (2) or `database.schema.name` (3). */
  readonly parts: 2 | 3
}

/** Table names as one database reads and writes them. */
export interface TableNameSyntax<Name extends SchemaTableName> {
  readonly dialect: string
  /** Parses `name`, `schema.name` (or `database.schema.name`); throws a `TableNameError`. */
  readonly parse: (text: string) => Name
  /** The table as SQL, every part quoted, e.g. `"analytics"."orders"`. */
  readonly quote: (table: Name) => string
  /** The table as the `table` option reads it back: each part bare when it can be, quoted otherwise. */
  readonly format: (table: Name) => string
}

const FORMS = ["name", "schema.name", "database.schema.name"] as const

// An identifier that reads back as itself unquoted: already in the folded case, no odd characters.
const BARE = { lower: /^[a-z_][a-z0-9_$]*$/, upper: /^[A-Z_][A-Z0-9_$]*$/ } as const

const partsOf = (table: SchemaTableName): Array<string> =>
  [(table as Partial<DatabaseTableName>).database, table.schema, table.name].filter((part): part is string => part !== undefined)

/** The table name syntax of a database with these rules. */
export function tableNameSyntax(rules: TableNameRules & { readonly parts: 2 }): TableNameSyntax<SchemaTableName>
export function tableNameSyntax(rules: TableNameRules & { readonly parts: 3 }): TableNameSyntax<DatabaseTableName>
export function tableNameSyntax(rules: TableNameRules): TableNameSyntax<SchemaTableName> | TableNameSyntax<DatabaseTableName> {
  const fold = rules.fold === "lower" ? (part: string) => part.toLowerCase() : (part: string) => part.toUpperCase()
  const forms = FORMS.slice(0, rules.parts)
  const written = `${forms.slice(0, -1).join(", ")} or ${forms[forms.length - 1]}`
  const bare = BARE[rules.fold]
  return {
    dialect: rules.dialect,
    parse: (text: string): DatabaseTableName => {
      const parts = splitIdentifiers(text, fold)
      if (parts.length > rules.parts) {
        throw new TableNameError({ message: `table name ${JSON.stringify(text)} has ${parts.length} parts; write ${written}` })
      }
      const [name, schema, database] = [...parts].reverse()
      // A two-part syntax's names have no `database` key at all; the overloads type them so.
      return (rules.parts === 2 ? { schema, name: name! } : { database, schema, name: name! }) as DatabaseTableName
    },
    quote: (table: SchemaTableName) => partsOf(table).map(quoteIdentifier).join("."),
    format: (table: SchemaTableName) =>
      partsOf(table)
        .map((part) => (bare.test(part) ? part : quoteIdentifier(part)))
        .join(".")
  }
}
