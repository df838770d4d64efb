export {
  BinaryMapping,
  PostgresConnectionOptions,
  type PostgresConnectionOptionsInput,
  PostgresSourceOptions,
  type PostgresSourceOptionsInput,
  SslMode
} from "./PostgresSourceOptions.ts"
export { layer, make } from "./PostgresSource.ts"
export type { Environment } from "./PostgresConnection.ts"
export type { ValueKind } from "./ValueConverter.ts"
export { parseTableName, quoteIdentifier, quoteTableName, type TableName } from "./TableName.ts"
export {
  type ColumnSummary,
  describeSource,
  listTables,
  type ListTablesOptions,
  type SourceDescription,
  type TableSummary
} from "./PostgresInspector.ts"
