export { ColumnProfile, type TextColumnSummary, type TextKind } from "./ColumnProfile.ts"
export { decideColumnTypes } from "./CsvColumnTypes.ts"
export * as CsvSource from "./CsvSource.ts"
export { CsvSourceOptions, type CsvSourceOptionsInput } from "./CsvSourceOptions.ts"
