/**
 * The csv-parse options every tablecast CSV reader shares: the CLI's file reader and the edge's
 * request-body reader parse with the same rules. No `node:` import here, so the edge's Worker can
 * import this module (`@tablecast/source-csv/portable`).
 */
export interface CsvDialect {
  readonly delimiter: string
  /** Quote character, or `false` for a file whose fields are never quoted. */
  readonly quote: string | false
  /** Escape character inside quoted fields; defaults to the quote itself (RFC 4180). */
  readonly escape?: string | undefined
  readonly skipEmptyLines: boolean
}

/** The RFC 4180 dialect: comma, double quote, `""` inside quotes, blank lines skipped. */
export const defaultCsvDialect: CsvDialect = { delimiter: ",", quote: '"', skipEmptyLines: true }

export const csvParserOptions = (dialect: CsvDialect) => ({
  delimiter: dialect.delimiter,
  quote: dialect.quote === false ? null : dialect.quote,
  escape: dialect.escape ?? (dialect.quote === false ? null : dialect.quote),
  // The byte order mark is removed before parsing, so that byte offsets are the parser's own.
  bom: false,
  skip_empty_lines: dialect.skipEmptyLines,
  // Any of CRLF, LF or CR ends a record, even mixed in one file (csv-parse would otherwise take
  // the first one it meets as the only one).
  record_delimiter: ["\r\n", "\n", "\r"],
  // Field counts are checked by the reader, against the header, for a reason that names both counts.
  relax_column_count: true
})
