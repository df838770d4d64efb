import { randomBytes, randomUUID } from "node:crypto"
import https from "node:https"
import type { AddressInfo } from "node:net"
import { type DuckDBConnection, DuckDBInstance, type DuckDBType, type DuckDBValue } from "@duckdb/node-api"
import TCLIService from "@databricks/sql/thrift/TCLIService.js"
import ttypes from "@databricks/sql/thrift/TCLIService_types.js"
import Int64 from "node-int64"
import thrift from "thrift"
import { type EncodedColumns, encodeBatch, encodeSchema } from "./ArrowEncoder.ts"
import { hiveColumn } from "./HiveSchema.ts"
import { type ConnectProxy, startConnectProxy } from "./ConnectProxy.ts"
import { makeOAuthEndpoints, type ServicePrincipal, type TokenRequest } from "./OAuthEndpoints.ts"
import { selfSignedCertificate } from "./SelfSignedCertificate.ts"
import { toDuckDBSql } from "./SqlTranslator.ts"

export interface DatabricksTestServerOptions {
  /** The personal access token the server accepts (`Authorization: Bearer <token>`). */
  readonly token: string
  /** SQL run on the DuckDB behind the server before it answers (tables, catalogs via ATTACH). */
  readonly setup?: ReadonlyArray<string>
  /** Most rows the server puts in one FetchResults answer, whatever the client asks (a page). */
  readonly pageRows?: number
  /** The HTTP path of the warehouse. */
  readonly path?: string
  /** A service principal for OAuth M2M: the server then answers OIDC discovery and the token endpoint, and accepts the tokens it issued. */
  readonly servicePrincipal?: ServicePrincipal
  /** Host names the certificate also covers (a workspace name reached through `startProxy`). */
  readonly hostnames?: ReadonlyArray<string>
}

export interface DatabricksTestServer {
  readonly host: string
  readonly port: number
  readonly path: string
  /** The certificate to trust (`customCaCert`): the server speaks HTTPS, as the driver requires. */
  readonly caCert: string
  /** Thrift calls answered, by name, in order ("DirectResults" after an ExecuteStatement answered with them). */
  readonly calls: ReadonlyArray<string>
  /** The statements executed, as received. */
  readonly statements: ReadonlyArray<string>
  /** The bearer token of each Thrift request, in order (accepted or not). */
  readonly bearers: ReadonlyArray<string>
  /** The access tokens the token endpoint issued. */
  readonly issuedTokens: ReadonlySet<string>
  /** What the token endpoint was asked. */
  readonly tokenRequests: ReadonlyArray<TokenRequest>
  /** An HTTP proxy on loopback whose every CONNECT leads to this server (for HTTPS_PROXY). */
  startProxy(): Promise<ConnectProxy>
  /** Sessions open now. */
  openSessions(): number
  /** Operations not closed yet. */
  openOperations(): number
  /** Runs SQL on the engine behind the server (test set-up). */
  run(sql: string): Promise<void>
  close(): Promise<void>
}

interface Operation {
  readonly names: ReadonlyArray<string>
  readonly types: ReadonlyArray<DuckDBType>
  readonly columns: EncodedColumns | undefined
  readonly rows: ReadonlyArray<ReadonlyArray<DuckDBValue>>
  next: number
  readonly error: { message: string; sqlState: string } | undefined
}

const success = () => ({ statusCode: ttypes.TStatusCode.SUCCESS_STATUS })
const handleKey = (handle: { operationId?: { guid?: Buffer } } | { sessionId?: { guid?: Buffer } }): string => {
  const identifier = "operationId" in handle ? handle.operationId : (handle as { sessionId?: { guid?: Buffer } }).sessionId
  return Buffer.from(identifier?.guid ?? []).toString("hex")
}
const newIdentifier = () => ({ guid: Buffer.from(randomUUID().replaceAll("-", ""), "hex"), secret: randomBytes(16) })

/** DuckDB's error text as a Databricks error class and SQLSTATE (the classes a warehouse answers with). */
const databricksError = (error: unknown): { message: string; sqlState: string } => {
  const text = error instanceof Error ? error.message : String(error)
  if (/Table with name .* does not exist|Catalog .* does not exist|Schema .* does not exist/i.test(text)) {
    return { message: `[TABLE_OR_VIEW_NOT_FOUND] ${text}`, sqlState: "42P01" }
  }
  if (/Parser Error/i.test(text)) return { message: `[PARSE_SYNTAX_ERROR] ${text}`, sqlState: "42601" }
  return { message: `[INTERNAL_ERROR] ${text}`, sqlState: "XX000" }
}

const execute = async (connection: DuckDBConnection, sql: string): Promise<Operation> => {
  try {
    const reader = await connection.runAndReadAll(toDuckDBSql(sql))
    const names = reader.columnNames()
    const types = reader.columnTypes()
    const columns = names.length === 0 ? undefined : encodeSchema(names, types)
    return { names, types, columns, rows: reader.getRows(), next: 0, error: undefined }
  } catch (error) {
    return { names: [], types: [], columns: undefined, rows: [], next: 0, error: databricksError(error) }
  }
}

/** `TGetOperationStatusResp` of a statement that has run: finished, or failed with its error class. */
const statusOf = (operation: Operation) =>
  operation.error === undefined
    ? { status: success(), operationState: ttypes.TOperationState.FINISHED_STATE, hasResultSet: operation.columns !== undefined }
    : {
        status: success(),
        operationState: ttypes.TOperationState.ERROR_STATE,
        sqlState: operation.error.sqlState,
        errorMessage: operation.error.message,
        displayMessage: operation.error.message
      }

/** `TGetResultSetMetadataResp`: the Hive schema, and the Arrow schema of the row sets that follow. */
const metadataOf = (operation: Operation) => ({
  status: success(),
  schema: { columns: operation.names.map((name, index) => hiveColumn(name, operation.types[index]!, index + 1)) },
  resultFormat: ttypes.TSparkRowSetType.ARROW_BASED_SET,
  lz4Compressed: false,
  ...(operation.columns === undefined ? {} : { arrowSchema: operation.columns.schemaBytes })
})

/** `TFetchResultsResp`: the next rows, at most `maxRows` and the server's page, as one Arrow batch. */
const nextPage = (operation: Operation, maxRows: number, pageRows: number) => {
  const start = operation.next
  const rows = operation.rows.slice(start, start + Math.min(pageRows, maxRows))
  operation.next = start + rows.length
  const arrowBatches =
    rows.length === 0 || operation.columns === undefined
      ? []
      : [{ batch: encodeBatch(operation.columns, operation.types, rows), rowCount: new Int64(rows.length) }]
  return {
    status: success(),
    hasMoreRows: operation.next < operation.rows.length,
    results: { startRowOffset: new Int64(start), rows: [], arrowBatches }
  }
}

/**
 * The handler of TCLIService: the calls @databricks/sql makes for a query (OpenSession,
 * ExecuteStatement, GetOperationStatus, GetResultSetMetadata, FetchResults, CloseOperation,
 * CloseSession, CancelOperation), and direct results when asked for them. Answers are Arrow-based
 * row sets with native Arrow types, as a Databricks SQL warehouse sends them to this driver (no
 * cloud fetch, no LZ4).
 */
const makeHandler = (connection: DuckDBConnection, pageRows: number, calls: Array<string>, statements: Array<string>) => {
  const sessions = new Set<string>()
  const operations = new Map<string, Operation>()
  const operationOf = (handle: { operationId?: { guid?: Buffer } }) => {
    const operation = operations.get(handleKey(handle))
    if (operation === undefined) throw new Error("Invalid OperationHandle")
    return operation
  }
  const handler = {
    OpenSession: (request: { client_protocol_i64?: Int64 }) => {
      calls.push("OpenSession")
      const sessionHandle = { sessionId: newIdentifier() }
      sessions.add(handleKey(sessionHandle))
      const version = request.client_protocol_i64?.toNumber() ?? ttypes.TProtocolVersion.SPARK_CLI_SERVICE_PROTOCOL_V8
      return new ttypes.TOpenSessionResp({ status: success(), serverProtocolVersion: version, sessionHandle, canUseMultipleCatalogs: true })
    },
    CloseSession: (request: { sessionHandle: { sessionId?: { guid?: Buffer } } }) => {
      calls.push("CloseSession")
      sessions.delete(handleKey(request.sessionHandle))
      return new ttypes.TCloseSessionResp({ status: success() })
    },
    ExecuteStatement: async (request: {
      sessionHandle: { sessionId?: { guid?: Buffer } }
      statement: string
      getDirectResults?: { maxRows?: Int64 | null } | null
    }) => {
      calls.push("ExecuteStatement")
      if (!sessions.has(handleKey(request.sessionHandle))) {
        return new ttypes.TExecuteStatementResp({
          status: { statusCode: ttypes.TStatusCode.INVALID_HANDLE_STATUS, errorMessage: "Invalid SessionHandle" }
        })
      }
      statements.push(request.statement)
      const operation = await execute(connection, request.statement)
      const operationHandle = {
        operationId: newIdentifier(),
        operationType: ttypes.TOperationType.EXECUTE_STATEMENT,
        // A warehouse answers an asynchronous statement before it has run: a result set is expected.
        hasResultSet: true
      }
      operations.set(handleKey(operationHandle), operation)
      const direct = request.getDirectResults?.maxRows
      if (direct === undefined || direct === null) return new ttypes.TExecuteStatementResp({ status: success(), operationHandle })
      // Direct results, as a warehouse answers a client that asks for them: the status, the metadata
      // and the first page in the answer; the operation closed in it too when that page was all.
      calls.push("DirectResults")
      if (operation.error !== undefined) {
        return new ttypes.TExecuteStatementResp({ status: success(), operationHandle, directResults: { operationStatus: statusOf(operation) } })
      }
      const resultSet = nextPage(operation, direct.toNumber(), pageRows)
      const finished = !resultSet.hasMoreRows
      if (finished) operations.delete(handleKey(operationHandle))
      return new ttypes.TExecuteStatementResp({
        status: success(),
        operationHandle,
        directResults: {
          operationStatus: statusOf(operation),
          resultSetMetadata: metadataOf(operation),
          resultSet,
          ...(finished ? { closeOperation: { status: success() } } : {})
        }
      })
    },
    GetOperationStatus: (request: { operationHandle: { operationId?: { guid?: Buffer } } }) => {
      calls.push("GetOperationStatus")
      return new ttypes.TGetOperationStatusResp(statusOf(operationOf(request.operationHandle)))
    },
    GetResultSetMetadata: (request: { operationHandle: { operationId?: { guid?: Buffer } } }) => {
      calls.push("GetResultSetMetadata")
      return new ttypes.TGetResultSetMetadataResp(metadataOf(operationOf(request.operationHandle)))
    },
    FetchResults: (request: { operationHandle: { operationId?: { guid?: Buffer } }; maxRows: Int64 }) => {
      calls.push("FetchResults")
      return new ttypes.TFetchResultsResp(nextPage(operationOf(request.operationHandle), request.maxRows.toNumber(), pageRows))
    },
    CancelOperation: (request: { operationHandle: { operationId?: { guid?: Buffer } } }) => {
      calls.push("CancelOperation")
      operations.delete(handleKey(request.operationHandle))
      return new ttypes.TCancelOperationResp({ status: success() })
    },
    CloseOperation: (request: { operationHandle: { operationId?: { guid?: Buffer } } }) => {
      calls.push("CloseOperation")
      operations.delete(handleKey(request.operationHandle))
      return new ttypes.TCloseOperationResp({ status: success() })
    }
  }
  return { handler, sessions, operations }
}

/**
 * A Databricks SQL warehouse on loopback for tests: Thrift (binary protocol, buffered transport)
 * over HTTPS at `path`, the wire protocol of @databricks/sql, decoded and encoded with the
 * driver's own generated TCLIService code; the SQL runs on an in-memory DuckDB.
 */
export const startDatabricksTestServer = async (options: DatabricksTestServerOptions): Promise<DatabricksTestServer> => {
  const instance = await DuckDBInstance.create(":memory:")
  const connection = await instance.connect()
  for (const sql of options.setup ?? []) await connection.run(toDuckDBSql(sql))
  const calls: Array<string> = []
  const statements: Array<string> = []
  const { handler, sessions, operations } = makeHandler(connection, options.pageRows ?? 1000, calls, statements)
  const processor = new TCLIService.Processor(handler)
  const warehousePath = options.path ?? "/sql/1.0/warehouses/test"
  const certificate = selfSignedCertificate(options.hostnames)
  const oauth = options.servicePrincipal === undefined ? undefined : makeOAuthEndpoints(options.servicePrincipal)
  const bearers: Array<string> = []
  const proxies: Array<ConnectProxy> = []
  const server = https.createServer({ cert: certificate.cert, key: certificate.key }, async (request, response) => {
    const url = new URL(request.url ?? "/", "https://127.0.0.1")
    if (oauth !== undefined && (await oauth.handle(request, response, url.pathname))) return
    if (request.method !== "POST" || url.pathname !== warehousePath) {
      response.writeHead(404).end()
      return
    }
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1] ?? ""
    bearers.push(bearer)
    if (bearer !== options.token && oauth?.issued.has(bearer) !== true) {
      response.writeHead(401, { "content-type": "text/plain" }).end("Credential was not sent or was of an unsupported type for this API.")
      return
    }
    request.on(
      "data",
      thrift.TBufferedTransport.receiver((transport) => {
        const input = new thrift.TBinaryProtocol(transport)
        const output = new thrift.TBinaryProtocol(
          new thrift.TBufferedTransport(undefined, (buffer) => {
            response.writeHead(200, { "content-type": "application/x-thrift" }).end(buffer)
          })
        )
        processor.process(input, output)
      }, 0)
    )
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    host: "127.0.0.1",
    port,
    path: warehousePath,
    caCert: certificate.cert,
    calls,
    statements,
    bearers,
    issuedTokens: oauth?.issued ?? new Set(),
    tokenRequests: oauth?.requests ?? [],
    startProxy: async () => {
      const proxy = await startConnectProxy(port)
      proxies.push(proxy)
      return proxy
    },
    openSessions: () => sessions.size,
    openOperations: () => operations.size,
    run: async (sql) => {
      await connection.run(toDuckDBSql(sql))
    },
    close: async () => {
      for (const proxy of proxies) await proxy.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      connection.closeSync()
      instance.closeSync()
    }
  }
}
