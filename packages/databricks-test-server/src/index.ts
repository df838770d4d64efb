export { type DatabricksTestServer, type DatabricksTestServerOptions, startDatabricksTestServer } from "./DatabricksTestServer.ts"
export { toDuckDBSql } from "./SqlTranslator.ts"
export type { ConnectProxy } from "./ConnectProxy.ts"
export type { ServicePrincipal, TokenRequest } from "./OAuthEndpoints.ts"
