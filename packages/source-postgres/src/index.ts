export { BinaryMapping, type ColumnSummary, quoteIdentifier, type SourceDescription, type ValueKind } from "@tablecast/source-sql"
export {
  PostgresConnectionOptions,
  type PostgresConnectionOptionsInput,
  PostgresSourceOptions,
  type PostgresSourceOptionsInput,
  SslMode
} from "./PostgresSourceOptions.ts"
export { connectionIdentity, databaseIdentity, digestsLayer, layer, make, makeDigests } from "./PostgresSource.ts"
export type { Environment } from "./PostgresConnection.ts"
export { parseTableName, quoteTableName, type TableName } from "./PostgresTableName.ts"
export { describeSource, listTables, type ListTablesOptions, type TableSummary } from "./PostgresInspector.ts"
