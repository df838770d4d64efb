export { BinaryMapping, type ColumnSummary, quoteIdentifier, type SourceDescription, type ValueKind } from "@tablecast/source-sql"
export {
  SnowflakeConnectionOptions,
  type SnowflakeConnectionOptionsInput,
  SnowflakeSourceOptions,
  type SnowflakeSourceOptionsInput
} from "./SnowflakeSourceOptions.ts"
export { layer, make } from "./SnowflakeSource.ts"
export { DRIVER_ENVIRONMENT, loadDriver } from "./SnowflakeDriver.ts"
export type { Environment } from "./SnowflakeSettings.ts"
export { parseTableName, quoteTableName, type TableName } from "./SnowflakeTableName.ts"
export { describeSource, listTables, type ListTablesOptions, type TableSummary } from "./SnowflakeInspector.ts"
