// What of the CSV source runs anywhere (no `node:` import): the parser set-up and the checks the
// edge's Worker shares with the CLI's file reader.
export { columnNameProblems } from "./ColumnNames.ts"
export { type CsvDialect, csvParserOptions, defaultCsvDialect } from "./CsvParserOptions.ts"
export { completeUtf8Length } from "./Utf8Boundary.ts"
export { CsvTextError, CsvTextParser } from "./CsvTextParser.ts"
