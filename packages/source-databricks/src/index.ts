export { BinaryMapping, type ColumnSummary, type SourceDescription, type ValueKind } from "@tablecast/source-sql"
export {
  DatabricksConnectionOptions,
  type DatabricksConnectionOptionsInput,
  DatabricksSourceOptions,
  type DatabricksSourceOptionsInput
} from "./DatabricksSourceOptions.ts"
export { layer, make } from "./DatabricksSource.ts"
export { loadDriver } from "./DatabricksDriver.ts"
export type { Credentials, Environment } from "./DatabricksSettings.ts"
export { parseTableName, quoteIdentifier, quoteTableName, type TableName } from "./DatabricksTableName.ts"
export { describeSource } from "./DatabricksInspector.ts"
