export * as CsvSource from "./CsvSource.ts"
export { CsvSourceOptions, type CsvSourceOptionsInput } from "./CsvSourceOptions.ts"
