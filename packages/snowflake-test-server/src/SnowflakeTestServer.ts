import { createHash, createPublicKey, randomBytes, randomUUID, verify } from "node:crypto"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { gunzipSync, gzipSync } from "node:zlib"
import pg from "pg"
import { columnEncoding, type RowType } from "./ResultEncoder.ts"
import { countStatements, statementCountError } from "./StatementCount.ts"
import { installSfSchema, type SfTypeOids } from "./SfSchema.ts"
import { translateSql } from "./SqlTranslator.ts"

/**
 * A Snowflake protocol test server: answers the JSON protocol that the official drivers speak
 * (login with a password or a key-pair JWT, query requests with JSON results, result chunks
 * fetched by URL with gzip, "query in progress" polling, Snowflake error codes, session close)
 * on loopback, and runs each query on a real PostgreSQL database (see SqlTranslator for the
 * Snowflake-isms it understands). One PostgreSQL connection per Snowflake session.
 */

export interface TestUser {
  readonly name: string
  readonly password?: string
  /** PEM public key registered for key-pair (SNOWFLAKE_JWT) authentication. */
  readonly publicKeyPem?: string
}

export interface PostgresTarget {
  readonly host: string
  readonly port: number
  readonly user: string
  readonly password?: string
  readonly database: string
}

export interface SnowflakeTestServerConfig {
  /** Account name the driver must log in to (case-insensitive, as Snowflake's). */
  readonly account: string
  readonly users: ReadonlyArray<TestUser>
  readonly postgres: PostgresTarget
  /** Rows in each downloadable chunk. */
  readonly chunkRows?: number
  /** Rows sent inline in the query response (the first "chunk"). */
  readonly inlineRows?: number
  /** How long a query request waits for its result before answering "query in progress" (333333). */
  readonly syncWaitMs?: number
  /** How long each poll of the result URL waits before answering "in progress" again. */
  readonly pollWaitMs?: number
}

/** What the server saw, for tests to assert on. */
export interface ServerStats {
  logins: number
  failedLogins: number
  jwtLogins: number
  queries: number
  describeOnlyQueries: number
  inProgressAnswers: number
  resultPolls: number
  chunkRequests: number
  chunkBytesSent: number
  chunkRequestsRefused: number
  sessionsClosed: number
  openSessions: number
  telemetryRequests: number
  /** The event types of the telemetry the driver posted (`/telemetry/send`). */
  telemetryEvents: Array<string>
  /** CLIENT_ENVIRONMENT of the last login (the driver reports e.g. its platform detection there). */
  lastLoginClientEnvironment: unknown
  /** `METHOD /path` of every request, query strings left out. */
  requests: Array<string>
  /** Every translated SQL text, in order. */
  sql: Array<string>
}

interface Session {
  readonly id: number
  readonly token: string
  readonly masterToken: string
  readonly user: string
  readonly client: pg.Client
  /** Queries of one session run one after another, as in Snowflake. */
  queue: Promise<unknown>
  /** The default parameters with the SESSION_PARAMETERS the driver sent at login (and ALTER SESSION SET MULTI_STATEMENT_COUNT). */
  parameters: ReadonlyArray<{ name: string; value: unknown }>
  readonly context: { warehouse: string; database: string; schema: string; role: string }
}

interface QueryResultData {
  readonly rowtype: ReadonlyArray<RowType>
  readonly rowset: ReadonlyArray<ReadonlyArray<string | null>>
  readonly total: number
  readonly chunks: ReadonlyArray<{ url: string; rowCount: number; uncompressedSize: number; compressedSize: number }>
  readonly qrmk: string | undefined
}

interface Query {
  readonly id: string
  readonly session: Session
  /** The session's parameters with the statement's own (`parameters` of the request). */
  readonly parameters: ReadonlyArray<{ name: string; value: unknown }>
  done: boolean
  outcome: { ok: true; data: QueryResultData } | { ok: false; code: string; sqlState: string; message: string } | undefined
  readonly finished: Promise<void>
  readonly chunkBodies: Array<Buffer>
  readonly qrmk: string
}

/** Session parameters as Snowflake sends them with a login and every result. */
const PARAMETERS = [
  { name: "TIMEZONE", value: "America/Los_Angeles" },
  { name: "TIMESTAMP_OUTPUT_FORMAT", value: "YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM" },
  { name: "TIMESTAMP_NTZ_OUTPUT_FORMAT", value: "YYYY-MM-DD HH24:MI:SS.FF3" },
  { name: "TIMESTAMP_LTZ_OUTPUT_FORMAT", value: "" },
  { name: "TIMESTAMP_TZ_OUTPUT_FORMAT", value: "" },
  { name: "DATE_OUTPUT_FORMAT", value: "YYYY-MM-DD" },
  { name: "TIME_OUTPUT_FORMAT", value: "HH24:MI:SS" },
  { name: "BINARY_OUTPUT_FORMAT", value: "HEX" },
  { name: "CLIENT_SESSION_KEEP_ALIVE", value: false },
  { name: "CLIENT_RESULT_CHUNK_SIZE", value: 160 },
  { name: "QUERY_CONTEXT_CACHE_SIZE", value: 5 },
  { name: "JS_TREAT_INTEGER_AS_BIGINT", value: false }
]

/** PostgreSQL SQLSTATE → Snowflake error code and message prefix. */
const snowflakeError = (sqlState: string | undefined, message: string): { code: string; sqlState: string; message: string } => {
  switch (sqlState) {
    case "42P01": {
      const name = /relation "([^"]+)"/.exec(message)?.[1] ?? "?"
      return {
        code: "002003",
        sqlState: "42S02",
        message: `SQL compilation error:\nObject '${name.toUpperCase()}' does not exist or not authorized.`
      }
    }
    case "3F000":
      return { code: "002003", sqlState: "02000", message: `SQL compilation error:\n${message}` }
    case "42601":
      return { code: "001003", sqlState: "42000", message: `SQL compilation error:\n${message}` }
    case "42703":
      return { code: "000904", sqlState: "42000", message: `SQL compilation error: error line 0 at position 0\ninvalid identifier: ${message}` }
    case "42883":
      return { code: "002140", sqlState: "42601", message: `SQL compilation error:\nUnknown function: ${message}` }
    case "57014":
      return {
        code: "000630",
        sqlState: "57014",
        message: "Statement reached its statement or warehouse timeout of 0 second(s) and was canceled."
      }
    case "22012":
      return { code: "100051", sqlState: "22012", message: "Division by zero" }
    default:
      return { code: "100000", sqlState: sqlState ?? "XX000", message }
  }
}

const json = (response: ServerResponse, status: number, body: unknown) => {
  const text = JSON.stringify(body)
  response.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) })
  response.end(text)
}

const failure = (response: ServerResponse, code: string, message: string, data: Record<string, unknown> = {}) =>
  json(response, 200, { data: { errorCode: code, internalError: false, ...data }, code, message, success: false, headers: null })

const readBody = async (request: IncomingMessage): Promise<unknown> => {
  const parts: Array<Buffer> = []
  for await (const part of request) parts.push(part as Buffer)
  let body = Buffer.concat(parts)
  if (body.length === 0) return {}
  if (request.headers["content-encoding"] === "gzip") body = gunzipSync(body)
  return JSON.parse(body.toString("utf8"))
}

const base64Url = (text: string) => Buffer.from(text, "base64url")

/** Checks a SNOWFLAKE_JWT login token as Snowflake does: RS256 over the registered key, iss and sub. */
const verifyJwt = (token: string, account: string, user: TestUser): string | undefined => {
  if (user.publicKeyPem === undefined) return "no public key registered for this user"
  const [header, payload, signature] = token.split(".")
  if (header === undefined || payload === undefined || signature === undefined) return "malformed JWT"
  const head = JSON.parse(base64Url(header).toString("utf8")) as { alg?: string }
  if (head.alg !== "RS256") return `unexpected JWT algorithm ${head.alg}`
  const key = createPublicKey(user.publicKeyPem)
  if (!verify("RSA-SHA256", Buffer.from(`${header}.${payload}`), key, base64Url(signature))) return "JWT signature does not verify"
  const claims = JSON.parse(base64Url(payload).toString("utf8")) as { iss?: string; sub?: string; exp?: number }
  const fingerprint = `SHA256:${createHash("sha256")
    .update(key.export({ format: "der", type: "spki" }))
    .digest("base64")}`
  const subject = `${account.toUpperCase()}.${user.name.toUpperCase()}`
  if (claims.sub !== subject) return `JWT subject ${claims.sub} is not ${subject}`
  if (claims.iss !== `${subject}.${fingerprint}`) return "JWT issuer does not name the registered key"
  // The Node driver writes exp in milliseconds; Snowflake's spec says seconds. Accept either.
  const exp = claims.exp ?? 0
  const now = exp > 1e12 ? Date.now() : Date.now() / 1000
  if (exp < now) return "JWT has expired"
  return undefined
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export interface RunningServer {
  readonly port: number
  readonly url: string
  readonly stats: ServerStats
  readonly close: () => Promise<void>
}

/** What the handlers of one running server share. */
interface ServerContext {
  readonly config: SnowflakeTestServerConfig
  readonly chunkRows: number
  readonly inlineRows: number
  readonly syncWaitMs: number
  readonly pollWaitMs: number
  readonly stats: ServerStats
  /** Open sessions by token. */
  readonly sessions: Map<string, Session>
  readonly queries: Map<string, Query>
  readonly oids: SfTypeOids
  nextSessionId: number
  /** `http://127.0.0.1:PORT`, known once the server listens. */
  baseUrl: string
}

const emptyStats = (): ServerStats => ({
  logins: 0,
  failedLogins: 0,
  jwtLogins: 0,
  queries: 0,
  describeOnlyQueries: 0,
  inProgressAnswers: 0,
  resultPolls: 0,
  chunkRequests: 0,
  chunkBytesSent: 0,
  chunkRequestsRefused: 0,
  sessionsClosed: 0,
  openSessions: 0,
  telemetryRequests: 0,
  telemetryEvents: [],
  lastLoginClientEnvironment: null,
  requests: [],
  sql: []
})

const connectPostgres = async (target: PostgresTarget): Promise<pg.Client> => {
  const client = new pg.Client({
    ...target,
    ssl: false,
    application_name: "snowflake-test-server",
    types: { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig
  })
  client.on("error", () => {})
  await client.connect()
  await client.query(
    "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY'; SET bytea_output = 'hex'; SET extra_float_digits = 3; SET IntervalStyle = 'iso_8601'"
  )
  return client
}

const sessionOf = (context: ServerContext, request: IncomingMessage): Session | undefined => {
  const match = /Snowflake Token="([^"]+)"/.exec(request.headers.authorization ?? "")
  return match === null ? undefined : context.sessions.get(match[1]!)
}

const login = async (context: ServerContext, request: IncomingMessage, response: ServerResponse, url: URL) => {
  const { config, stats, sessions } = context
  const body = (await readBody(request)) as { data?: Record<string, unknown> }
  const data = body.data ?? {}
  stats.lastLoginClientEnvironment = data.CLIENT_ENVIRONMENT ?? null
  const account = String(data.ACCOUNT_NAME ?? "")
  const loginName = String(data.LOGIN_NAME ?? "")
  const user = config.users.find((candidate) => candidate.name.toUpperCase() === loginName.toUpperCase())
  const refuse = (code: string, message: string) => {
    stats.failedLogins++
    failure(response, code, message, { nextAction: null, authnMethod: data.AUTHENTICATOR ?? "USERNAME_PASSWORD" })
  }
  if (account.toUpperCase() !== config.account.toUpperCase()) return refuse("390201", "The requested account does not exist.")
  if (user === undefined) return refuse("390100", "Incorrect username or password was specified.")
  if (String(data.AUTHENTICATOR ?? "").toUpperCase() === "SNOWFLAKE_JWT") {
    const problem = verifyJwt(String(data.TOKEN ?? ""), account, user)
    if (problem !== undefined) return refuse("390144", `JWT token is invalid. [${problem}]`)
    stats.jwtLogins++
  } else if (user.password === undefined || data.PASSWORD !== user.password) {
    return refuse("390100", "Incorrect username or password was specified.")
  }
  let client: pg.Client
  try {
    client = await connectPostgres(config.postgres)
  } catch (error) {
    return failure(response, "390303", `Warehouse storage is unavailable: ${error instanceof Error ? error.message : String(error)}`)
  }
  const sessionParameters = (data.SESSION_PARAMETERS ?? {}) as Record<string, unknown>
  const parameters = [
    ...PARAMETERS.filter((parameter) => !(parameter.name in sessionParameters)),
    ...Object.entries(sessionParameters).map(([name, value]) => ({ name, value }))
  ]
  const session: Session = {
    parameters,
    id: context.nextSessionId++,
    token: `ver:1-hint:${randomBytes(16).toString("hex")}`,
    masterToken: `ver:1-hint:${randomBytes(16).toString("hex")}`,
    user: user.name.toUpperCase(),
    client,
    queue: Promise.resolve(),
    context: {
      warehouse: url.searchParams.get("warehouse") ?? "",
      database: url.searchParams.get("databaseName") ?? "",
      schema: url.searchParams.get("schemaName") ?? "",
      role: url.searchParams.get("roleName") ?? "PUBLIC"
    }
  }
  sessions.set(session.token, session)
  stats.logins++
  stats.openSessions++
  json(response, 200, loginAnswer(session))
}

/** The answer to a successful login, as Snowflake gives it. */
const loginAnswer = (session: Session) => ({
  data: {
    masterToken: session.masterToken,
    token: session.token,
    validityInSeconds: 3600,
    masterValidityInSeconds: 14400,
    displayUserName: session.user,
    serverVersion: "9.0.0-tablecast-test",
    firstLogin: false,
    remMeToken: null,
    remMeValidityInSeconds: 0,
    healthCheckInterval: 45,
    newClientForUpgrade: null,
    sessionId: session.id,
    parameters: session.parameters,
    sessionInfo: {
      databaseName: session.context.database || null,
      schemaName: session.context.schema || null,
      warehouseName: session.context.warehouse || null,
      roleName: session.context.role
    },
    idToken: null,
    idTokenValidityInSeconds: 0,
    responseData: null,
    mfaToken: null,
    mfaTokenValidityInSeconds: 0
  },
  code: null,
  message: null,
  success: true
})

/** Runs one statement on Postgres and builds its Snowflake result (inline rows and gzip chunks). */
const execute = async (
  context: ServerContext,
  query: Query,
  sqlText: string,
  bindings: Record<string, { value: unknown }> | undefined,
  describeOnly: boolean
) => {
  const { stats, oids } = context
  const session = query.session
  // Like Snowflake: a request holds as many statements as MULTI_STATEMENT_COUNT says (1 unless
  // the statement or the session says otherwise). This server runs one statement per request.
  const countError = statementCountError(sqlText, query.parameters.find((parameter) => parameter.name === "MULTI_STATEMENT_COUNT")?.value)
  if (countError !== undefined) {
    query.outcome = { ok: false, ...countError }
    return
  }
  if (countStatements(sqlText) > 1) {
    query.outcome = {
      ok: false,
      code: "000002",
      sqlState: "0A000",
      message: "Unsupported feature: the test server runs one statement per request."
    }
    return
  }
  const multiStatementCount = /^\s*ALTER\s+SESSION\s+SET\s+MULTI_STATEMENT_COUNT\s*=\s*(\d+)\s*;?\s*$/i.exec(sqlText)
  if (multiStatementCount !== null) {
    session.parameters = [
      ...session.parameters.filter((parameter) => parameter.name !== "MULTI_STATEMENT_COUNT"),
      { name: "MULTI_STATEMENT_COUNT", value: Number(multiStatementCount[1]) }
    ]
  }
  if (/^\s*(ALTER\s+SESSION|USE\s)/i.test(sqlText)) {
    query.outcome = {
      ok: true,
      data: {
        rowtype: [columnEncoding({ name: "status", dataTypeID: 25, dataTypeModifier: -1 }, oids).rowType],
        rowset: [["Statement executed successfully."]],
        total: 1,
        chunks: [],
        qrmk: undefined
      }
    }
    return
  }
  const translated = translateSql(sqlText)
  let sql = translated.sql.replace(/[\s;]+$/u, "")
  if (describeOnly) sql = `SELECT * FROM (\n${sql}\n) AS describe_only LIMIT 0`
  stats.sql.push(sql)
  const values = Object.keys(bindings ?? {})
    .sort((a, b) => Number(a) - Number(b))
    .map((key) => {
      const value = bindings![key]!.value
      return value === null || value === undefined ? null : String(value)
    })
  let result: pg.QueryResult<Array<string | null>>
  try {
    // The extended protocol even without values: Postgres, too, refuses a second statement.
    const config: pg.QueryArrayConfig<Array<string | null>> & { readonly queryMode: "extended" } = {
      text: sql,
      values,
      rowMode: "array",
      queryMode: "extended"
    }
    result = (await session.client.query(config)) as unknown as pg.QueryResult<Array<string | null>>
  } catch (error) {
    const fields = error as { code?: string; message?: string }
    query.outcome = { ok: false, ...snowflakeError(fields.code, fields.message ?? String(error)) }
    return
  }
  query.outcome = { ok: true, data: await resultData(context, query, result) }
}

/** A statement's Postgres result as a Snowflake result: column types, inline rows and gzip chunks. */
const resultData = async (context: ServerContext, query: Query, result: pg.QueryResult<Array<string | null>>): Promise<QueryResultData> => {
  const { oids, inlineRows, chunkRows } = context
  const session = query.session
  const fields = result.fields ?? []
  // Unconstrained NUMERIC columns get the largest scale their values have.
  const maxScale = fields.map((field, index) => {
    if (field.dataTypeID !== 1700 || field.dataTypeModifier >= 4) return 0
    let scale = 0
    for (const row of result.rows) {
      const text = row[index]
      const dot = text?.indexOf(".") ?? -1
      if (text != null && dot !== -1) scale = Math.max(scale, text.length - dot - 1)
    }
    return scale
  })
  const encodings = fields.map((field, index) => columnEncoding(field, oids, maxScale[index]))
  // Snowflake reports whether a column that comes straight from a table is nullable.
  const tableColumns = fields.filter((field) => field.tableID !== 0)
  const notNull = new Set<string>()
  if (tableColumns.length > 0) {
    const facts = await session.client.query<[string, string]>({
      text: "SELECT attrelid::text, attnum::text FROM pg_catalog.pg_attribute a JOIN unnest($1::oid[], $2::int2[]) AS c(rel, num) ON a.attrelid = c.rel AND a.attnum = c.num WHERE a.attnotnull",
      values: [tableColumns.map((field) => field.tableID), tableColumns.map((field) => field.columnID)],
      rowMode: "array"
    })
    for (const [rel, num] of facts.rows) notNull.add(`${rel}:${num}`)
  }
  const rowtype = encodings.map((encoding, index) => ({
    ...encoding.rowType,
    nullable: !notNull.has(`${fields[index]!.tableID}:${fields[index]!.columnID}`),
    database: session.context.database.toUpperCase(),
    schema: session.context.schema.toUpperCase()
  }))
  const encoded = result.rows.map((row) => row.map((text, index) => (text === null ? null : encodings[index]!.encode(text))))
  const rowset = encoded.slice(0, inlineRows)
  const chunks: Array<QueryResultData["chunks"][number]> = []
  for (let start = inlineRows; start < encoded.length; start += chunkRows) {
    const rows = encoded.slice(start, start + chunkRows)
    // A chunk file is the rows' JSON arrays joined by commas, without the enclosing brackets.
    const plain = Buffer.from(rows.map((row) => JSON.stringify(row)).join(","), "utf8")
    const gzipped = gzipSync(plain)
    query.chunkBodies.push(gzipped)
    chunks.push({
      url: `${context.baseUrl}/chunks/${query.id}/${query.chunkBodies.length - 1}?X-Amz-Signature=${randomBytes(8).toString("hex")}`,
      rowCount: rows.length,
      uncompressedSize: plain.length,
      compressedSize: gzipped.length
    })
  }
  return { rowtype, rowset, total: encoded.length, chunks, qrmk: chunks.length > 0 ? query.qrmk : undefined }
}

const answerQuery = (response: ServerResponse, query: Query) => {
  const outcome = query.outcome!
  const session = query.session
  if (!outcome.ok) {
    return failure(response, outcome.code, outcome.message, {
      sqlState: outcome.sqlState,
      queryId: query.id,
      age: 0,
      line: -1,
      pos: -1,
      type: "COMPILATION"
    })
  }
  json(response, 200, {
    data: {
      parameters: query.parameters,
      rowtype: outcome.data.rowtype,
      rowset: outcome.data.rowset,
      total: outcome.data.total,
      returned: outcome.data.total,
      queryId: query.id,
      databaseProvider: null,
      finalDatabaseName: session.context.database.toUpperCase() || null,
      finalSchemaName: session.context.schema.toUpperCase() || null,
      finalWarehouseName: session.context.warehouse.toUpperCase() || null,
      finalRoleName: session.context.role.toUpperCase(),
      numberOfBinds: 0,
      arrayBindSupported: false,
      statementTypeId: 4096,
      version: 1,
      sendResultTime: Date.now(),
      queryResultFormat: "json",
      ...(outcome.data.chunks.length > 0 ? { chunks: outcome.data.chunks, qrmk: outcome.data.qrmk } : {})
    },
    code: null,
    message: null,
    success: true
  })
}

const inProgress = (stats: ServerStats, response: ServerResponse, query: Query) => {
  stats.inProgressAnswers++
  json(response, 200, {
    data: { queryId: query.id, getResultUrl: `/queries/${query.id}/result`, queryAbortsAfterSecs: 300, progressDesc: null },
    code: "333333",
    message: "Query execution in progress. Please try again later.",
    success: true
  })
}

/** Answers with the result when it is ready within `waitMs`, else with "in progress". */
const answerWhenReady = async (context: ServerContext, response: ServerResponse, query: Query, waitMs: number) => {
  await Promise.race([query.finished, sleep(waitMs)])
  if (query.done) answerQuery(response, query)
  else inProgress(context.stats, response, query)
}

const queryRequest = async (context: ServerContext, request: IncomingMessage, response: ServerResponse, session: Session) => {
  const { stats, queries } = context
  const body = (await readBody(request)) as {
    sqlText?: string
    bindings?: Record<string, { value: unknown }>
    describeOnly?: boolean
    parameters?: Record<string, unknown>
  }
  const statementParameters = body.parameters ?? {}
  stats.queries++
  if (body.describeOnly === true) stats.describeOnlyQueries++
  const id = randomUUID()
  let resolveFinished = () => {}
  const query: Query = {
    id,
    session,
    parameters: [
      ...session.parameters.filter((parameter) => !(parameter.name in statementParameters)),
      ...Object.entries(statementParameters).map(([name, value]) => ({ name, value }))
    ],
    done: false,
    outcome: undefined,
    finished: new Promise<void>((resolve) => (resolveFinished = resolve)),
    chunkBodies: [],
    qrmk: randomBytes(32).toString("base64")
  }
  queries.set(id, query)
  session.queue = session.queue
    .then(() => execute(context, query, String(body.sqlText ?? ""), body.bindings, body.describeOnly === true))
    .catch((error: unknown) => {
      query.outcome = { ok: false, code: "000603", sqlState: "XX000", message: `Internal error: ${String(error)}` }
    })
    .finally(() => {
      query.done = true
      resolveFinished()
    })
  await answerWhenReady(context, response, query, context.syncWaitMs)
}

const chunk = (context: ServerContext, request: IncomingMessage, response: ServerResponse, queryId: string, index: number) => {
  const { stats, queries } = context
  stats.chunkRequests++
  const query = queries.get(queryId)
  const body = query?.chunkBodies[index]
  // Like S3 with SSE-C: the chunk is readable only with the result's key in the headers.
  const key = request.headers["x-amz-server-side-encryption-customer-key"]
  if (query === undefined || body === undefined || key !== query.qrmk) {
    stats.chunkRequestsRefused++
    response.writeHead(403, { "Content-Type": "application/xml" })
    response.end("<Error><Code>AccessDenied</Code></Error>")
    return
  }
  stats.chunkBytesSent += body.length
  response.writeHead(200, {
    "Content-Type": "application/octet-stream",
    "Content-Encoding": "gzip",
    "Content-Length": body.length
  })
  response.end(body)
}

const closeSession = async (context: ServerContext, session: Session) => {
  context.sessions.delete(session.token)
  context.stats.openSessions--
  context.stats.sessionsClosed++
  await session.client.end().catch(() => {})
}

const handle = async (context: ServerContext, request: IncomingMessage, response: ServerResponse) => {
  const { stats, queries } = context
  const url = new URL(request.url ?? "/", context.baseUrl)
  const path = url.pathname
  stats.requests.push(`${request.method} ${path}`)
  if (request.method === "GET" && path === "/__test/stats") return json(response, 200, stats)
  if (request.method === "POST" && path === "/session/v1/login-request") return login(context, request, response, url)
  const chunkMatch = /^\/chunks\/([^/]+)\/(\d+)$/.exec(path)
  if (request.method === "GET" && chunkMatch !== null) return chunk(context, request, response, chunkMatch[1]!, Number(chunkMatch[2]))
  const session = sessionOf(context, request)
  if (session === undefined) {
    await readBody(request).catch(() => undefined)
    return failure(response, "390104", "Invalid session token. Please login again.")
  }
  if (request.method === "POST" && path === "/queries/v1/query-request") return queryRequest(context, request, response, session)
  const resultMatch = /^\/queries\/([^/]+)\/result$/.exec(path)
  if (request.method === "GET" && resultMatch !== null) {
    const query = queries.get(resultMatch[1]!)
    if (query === undefined) return failure(response, "000709", "Statement not found.")
    stats.resultPolls++
    return answerWhenReady(context, response, query, context.pollWaitMs)
  }
  const monitoringMatch = /^\/monitoring\/queries\/([^/]+)$/.exec(path)
  if (request.method === "GET" && monitoringMatch !== null) {
    const query = queries.get(monitoringMatch[1]!)
    const status = query === undefined ? "NO_DATA" : !query.done ? "RUNNING" : query.outcome?.ok ? "SUCCESS" : "FAILED_WITH_ERROR"
    return json(response, 200, {
      data: { queries: query === undefined ? [] : [{ id: query.id, status }] },
      code: null,
      message: null,
      success: true
    })
  }
  if (request.method === "POST" && path === "/session" && url.searchParams.get("delete") === "true") {
    await readBody(request)
    await closeSession(context, session)
    return json(response, 200, { data: null, code: null, message: null, success: true })
  }
  if (request.method === "POST" && path === "/telemetry/send") {
    stats.telemetryRequests++
    const body = (await readBody(request)) as { logs?: Array<{ message?: { type?: string } }> }
    for (const log of body.logs ?? []) stats.telemetryEvents.push(String(log.message?.type))
    return json(response, 200, { data: "Log Received", code: null, message: null, success: true })
  }
  if (request.method === "POST" && (path === "/session/heartbeat" || path === "/queries/v1/abort-request")) {
    await readBody(request)
    return json(response, 200, { data: null, code: null, message: null, success: true })
  }
  json(response, 404, { data: null, code: "404", message: `no such endpoint: ${request.method} ${path}`, success: false })
}

export const startServer = async (config: SnowflakeTestServerConfig, port = 0): Promise<RunningServer> => {
  const chunkRows = config.chunkRows ?? 2000
  const setup = await connectPostgres(config.postgres)
  let oids: SfTypeOids
  try {
    oids = await installSfSchema(setup)
  } finally {
    await setup.end()
  }
  const context: ServerContext = {
    config,
    chunkRows,
    inlineRows: config.inlineRows ?? chunkRows,
    syncWaitMs: config.syncWaitMs ?? 2000,
    pollWaitMs: config.pollWaitMs ?? 500,
    stats: emptyStats(),
    sessions: new Map(),
    queries: new Map(),
    oids,
    nextSessionId: 1000,
    baseUrl: ""
  }

  const server: Server = createServer((request, response) => {
    handle(context, request, response).catch((error: unknown) => {
      if (!response.headersSent) json(response, 500, { success: false, code: "500", message: String(error), data: null })
      else response.destroy()
    })
  })
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve))
  const address = server.address() as AddressInfo
  context.baseUrl = `http://127.0.0.1:${address.port}`
  return {
    port: address.port,
    url: context.baseUrl,
    stats: context.stats,
    close: async () => {
      await Promise.all([...context.sessions.values()].map((session) => closeSession(context, session)))
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
    }
  }
}
