export { type DatabricksTestServer, type DatabricksTestServerOptions, startDatabricksTestServer } from "./DatabricksTestServer.ts"
export { toDuckDBSql } from "./SqlTranslator.ts"
