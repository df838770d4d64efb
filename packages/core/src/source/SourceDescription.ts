import type { DecidedColumn } from "../map/ColumnTyping.ts"

/** What a column's values become in JSON, for the inspection and for mapping decisions. */
export type ValueKind =
  | "string"
  | "number"
  /** NUMERIC/DECIMAL/BIGINT (Snowflake NUMBER): a number where exact, otherwise a string (or always a string). */
  | "decimal"
  | "boolean"
  | "timestamp"
  | "date"
  | "json"
  | "array"
  | "binary"

/** What `listTables` gives for a table or view the connection can read; `Kind` is the database's list of kinds. */
export interface TableSummary<Kind extends string = string> {
  readonly schema: string
  readonly name: string
  readonly kind: Kind
  /** The name to give as the source's `table` option (quoted where it needs to be). */
  readonly table: string
  /** The database's own row count or estimate, when it keeps one (e.g. Postgres `reltuples`, Snowflake ROW_COUNT). */
  readonly estimatedRows: number | undefined
}

/** A column of a table, query or file, as `tablecast inspect` shows it and proposes a sync from it. */
export interface ColumnSummary {
  readonly name: string
  /** The type as the source writes it, e.g. `numeric(12,2)`, `timestamp with time zone`, `NUMBER(38,0)`, `VARIANT`, `text`. */
  readonly sourceType: string
  /** What its values become in JSON (`timestamp`: ISO-8601 UTC strings; `binary`: refused unless mapped). */
  readonly kind: ValueKind
  /**
   * Whether the column may hold NULL, when the source tells (Postgres: from the table's
   * definition, for a column straight from a table, not a view; Snowflake: the result's metadata).
   */
  readonly nullable: boolean | undefined
  /**
   * True when a primary key or unique index covers exactly this column; undefined when unknown
   * (Snowflake does not enforce UNIQUE or PRIMARY KEY constraints).
   */
  readonly unique: boolean | undefined
  /** What `auto` sends the column's values as, and what decided it (the declared type, or a file's first rows). */
  readonly sentAs?: DecidedColumn
  /**
   * A file's value, beyond the rows that decide the column's type, that does not fit it: a sync
   * would reject its row (`--column name=string` sends the column as text).
   */
  readonly misfit?: { readonly row: number; readonly value: string }
  /** The first few values, converted as a sync would send them (binary shown as `<binary N bytes>`). */
  readonly samples: ReadonlyArray<unknown>
}

/** What a table, query or file holds: its columns with samples, and a row estimate. */
export interface SourceDescription {
  readonly description: string
  readonly estimatedRows: number | undefined
  readonly columns: ReadonlyArray<ColumnSummary>
  /** Rows identical to an earlier row, of the rows scanned (sources that scan their rows: CSV). */
  readonly repeats?: { readonly scanned: number; readonly repeated: number }
}
