export {
  BinaryMapping,
  SnowflakeConnectionOptions,
  type SnowflakeConnectionOptionsInput,
  SnowflakeSourceOptions,
  type SnowflakeSourceOptionsInput
} from "./SnowflakeSourceOptions.ts"
export { layer, make } from "./SnowflakeSource.ts"
export { DRIVER_ENVIRONMENT, loadDriver } from "./SnowflakeDriver.ts"
export type { Environment } from "./SnowflakeSettings.ts"
export type { ValueKind } from "./SnowflakeValues.ts"
export { parseTableName, quoteIdentifier, quoteTableName, type TableName } from "./TableName.ts"
export {
  type ColumnSummary,
  describeSource,
  listTables,
  type ListTablesOptions,
  type SourceDescription,
  type TableSummary
} from "./SnowflakeInspector.ts"
