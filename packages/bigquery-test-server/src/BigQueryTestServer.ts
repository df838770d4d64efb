import { randomUUID } from "node:crypto"
import http from "node:http"
import type { AddressInfo } from "node:net"
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api"
import { type FieldSchema, fieldSchema, restRow } from "./RestValues.ts"
import { translateSql } from "./SqlTranslator.ts"
import { exchangeAssertion, type ServiceAccount } from "./TokenExchange.ts"

/**
 * A BigQuery REST (v2) test server on loopback: the token exchange of a service account, then
 * `jobs.insert` (query jobs, dry runs included), `jobs.query`, `jobs.get` and `jobs.getQueryResults`
 * with page tokens, the SQL run on an in-memory DuckDB (datasets are DuckDB schemas). Errors come
 * in BigQuery's shape: `{ error: { code, message, errors: [{ reason }], status } }`.
 */
export interface BigQueryTestServerConfig {
  readonly projectId: string
  readonly serviceAccounts: ReadonlyArray<ServiceAccount>
  /** Where the datasets live (a job in another location does not find them). Default "US". */
  readonly location?: string
  /** SQL run on DuckDB at start: `CREATE SCHEMA scores; CREATE TABLE scores.churn AS ...`. */
  readonly setup?: ReadonlyArray<string>
  /** Most rows in one page whatever maxResults asks (BigQuery caps a page at 10 MB). Default 1000. */
  readonly pageRows?: number
  /** How many `getQueryResults` calls of a new job answer `jobComplete: false` first. Default 1. */
  readonly pendingPolls?: number
  /** Tables (dataset.table) the service account may not read: a query on one is refused with accessDenied. */
  readonly deniedTables?: ReadonlyArray<string>
  /** Tables (dataset.table) the account may query but not describe: tables.get answers accessDenied (the tables under an authorized view). */
  readonly undescribedTables?: ReadonlyArray<string>
}

export interface ServerStats {
  readonly tokenExchanges: number
  readonly refusedTokens: number
  readonly unauthorized: number
  readonly jobsInserted: number
  readonly dryRuns: number
  readonly jobsQueried: number
  readonly pagesServed: number
  readonly pollsIncomplete: number
  readonly maxResultsAsked: ReadonlyArray<number>
  readonly locations: ReadonlyArray<string>
  readonly maximumBytesBilled: ReadonlyArray<string>
  readonly queries: ReadonlyArray<string>
  /** tables.get calls answered. */
  readonly tablesRead: number
  /** API requests at the root (`/projects/...`, as BIGQUERY_EMULATOR_HOST makes the client send them) rather than under `/bigquery/v2`. */
  readonly rootRequests: number
}

export interface RunningServer {
  readonly url: string
  readonly port: number
  readonly close: () => Promise<void>
}

interface Job {
  readonly id: string
  readonly location: string
  readonly query: string
  readonly fields: ReadonlyArray<FieldSchema>
  readonly rows: ReadonlyArray<ReadonlyArray<unknown>>
  readonly rowsInt64: boolean
  readonly bytes: number
  /** The tables the query read (`dataset.table`), for `statistics.query.referencedTables`. */
  readonly tables: ReadonlyArray<string>
  pendingPolls: number
}

class ApiFailure extends Error {
  readonly status: number
  readonly reason: string
  constructor(status: number, reason: string, message: string) {
    super(message)
    this.status = status
    this.reason = reason
  }
}

const STATUS_NAMES: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL"
}

const errorBody = (status: number, reason: string, message: string) => ({
  error: { code: status, message, errors: [{ message, domain: "global", reason }], status: STATUS_NAMES[status] ?? "UNKNOWN" }
})

const readBody = (request: http.IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    request.on("error", reject)
  })

/** What a DuckDB error about a missing table or schema becomes: BigQuery's notFound. */
const engineFailure = (error: unknown, projectId: string, location: string, tables: ReadonlyArray<string>): ApiFailure => {
  const message = error instanceof Error ? error.message : String(error)
  const missing = /(?:Table|Schema) with name "?([\w.]+)"? does not exist/i.exec(message)
  if (missing !== null) {
    const named = tables.find((table) => table === missing[1] || table.endsWith(`.${missing[1]}`)) ?? missing[1]
    return new ApiFailure(404, "notFound", `Not found: Table ${projectId}:${named} was not found in location ${location}`)
  }
  return new ApiFailure(400, "invalidQuery", `Syntax error: ${message.split("\n")[0]}`)
}

/** A fake but stable "bytes processed": 8 bytes per cell of the result (real BigQuery counts the columns scanned). */
const bytesOf = (rows: number, columns: number) => Math.max(10 * 1024 * 1024, rows * columns * 8)

interface Counters {
  tokenExchanges: number
  refusedTokens: number
  unauthorized: number
  jobsInserted: number
  dryRuns: number
  jobsQueried: number
  pagesServed: number
  pollsIncomplete: number
  maxResultsAsked: Array<number>
  locations: Array<string>
  maximumBytesBilled: Array<string>
  queries: Array<string>
  tablesRead: number
  rootRequests: number
}

/** The server's state and its answers; `startServer` puts it behind node:http. */
class Backend {
  readonly location: string
  readonly pageRows: number
  readonly tokens = new Set<string>()
  readonly jobs = new Map<string, Job>()
  readonly failures: Array<{ status: number; reason: string; message: string }> = []
  readonly counters: Counters = {
    tokenExchanges: 0,
    refusedTokens: 0,
    unauthorized: 0,
    jobsInserted: 0,
    dryRuns: 0,
    jobsQueried: 0,
    pagesServed: 0,
    pollsIncomplete: 0,
    maxResultsAsked: [],
    locations: [],
    maximumBytesBilled: [],
    queries: [],
    tablesRead: 0,
    rootRequests: 0
  }
  readonly config: BigQueryTestServerConfig
  readonly connection: DuckDBConnection
  /** `dataset.table` → last-modified time (ms since the epoch), for tables.get; set at start and by `/__test/sql`. */
  readonly modified = new Map<string, number>()
  private clock = Date.now()

  constructor(config: BigQueryTestServerConfig, connection: DuckDBConnection) {
    this.config = config
    this.connection = connection
    this.location = config.location ?? "US"
    this.pageRows = config.pageRows ?? 1000
  }

  /** A strictly increasing millisecond time, so two changes within one millisecond still differ. */
  tick() {
    this.clock = Math.max(this.clock + 1, Date.now())
    return this.clock
  }

  /** Every table of the DuckDB behind the server, as `dataset.table`. */
  async tableNames(): Promise<ReadonlyArray<string>> {
    const reader = await this.connection.runAndReadAll("SELECT schema_name || '.' || table_name FROM duckdb_tables()")
    return reader.getRows().map((row) => String(row[0]))
  }

  /** A fixture statement: the tables it names (or creates) count as modified now. */
  async runFixture(statement: string) {
    await this.connection.run(statement)
    const lower = statement.toLowerCase()
    const now = this.tick()
    for (const name of await this.tableNames()) {
      if (!this.modified.has(name) || lower.includes(name.toLowerCase())) this.modified.set(name, now)
    }
  }

  /** tables.get: the table's resource with `lastModifiedTime`, as BigQuery answers it. */
  async getTable(project: string, dataset: string, table: string) {
    this.checkProject(project)
    const name = `${dataset}.${table}`
    if ((this.config.undescribedTables ?? []).includes(name)) {
      throw new ApiFailure(
        403,
        "accessDenied",
        `Access Denied: Table ${project}:${name}: Permission bigquery.tables.get denied on table ${project}:${name}`
      )
    }
    const modified = this.modified.get(name)
    if (modified === undefined) throw new ApiFailure(404, "notFound", `Not found: Table ${project}:${name}`)
    this.counters.tablesRead++
    return {
      kind: "bigquery#table",
      id: `${project}:${name}`,
      tableReference: { projectId: project, datasetId: dataset, tableId: table },
      type: "TABLE",
      location: this.location,
      lastModifiedTime: String(modified)
    }
  }

  async runQuery(db: DuckDBConnection, sql: string, dryRun: boolean, int64: boolean) {
    const translated = translateSql(sql)
    for (const denied of this.config.deniedTables ?? []) {
      if (translated.tables.includes(denied)) {
        throw new ApiFailure(
          403,
          "accessDenied",
          `Access Denied: Table ${this.config.projectId}:${denied}: User does not have permission to query table ${this.config.projectId}:${denied}.`
        )
      }
    }
    try {
      const reader = await db.runAndReadAll(translated.sql)
      const names = reader.columnNames()
      const fields = names.map((name, index) => fieldSchema(name, reader.columnType(index)))
      const rows = dryRun ? [] : reader.getRows().map((row) => restRow(fields, row, int64).f)
      return { fields, rows, bytes: bytesOf(reader.currentRowCount, names.length), tables: translated.tables }
    } catch (error) {
      throw engineFailure(error, this.config.projectId, this.location, translated.tables)
    }
  }

  checkLocation(asked: string | undefined) {
    if (asked === undefined || asked === "") return this.location
    this.counters.locations.push(asked)
    if (asked.toUpperCase() !== this.location.toUpperCase()) {
      throw new ApiFailure(404, "notFound", `Not found: Dataset ${this.config.projectId}: the datasets are not in location ${asked}`)
    }
    return this.location
  }

  checkProject(project: string) {
    if (project !== this.config.projectId) {
      throw new ApiFailure(
        403,
        "accessDenied",
        `Access Denied: Project ${project}: User does not have bigquery.jobs.create permission in project ${project}.`
      )
    }
  }

  checkBilled(limit: unknown, bytes: number) {
    if (limit === undefined || limit === null) return
    this.counters.maximumBytesBilled.push(String(limit))
    if (BigInt(String(limit)) < BigInt(bytes)) {
      throw new ApiFailure(
        400,
        "bytesBilledLimitExceeded",
        `Query exceeded limit for bytes billed: ${String(limit)}. ${bytes} or higher required.`
      )
    }
  }

  /** BigQuery's statementType, from the statement's first word (several statements: a SCRIPT). */
  statementType(sql: string) {
    const statements = sql.split(";").filter((part) => part.trim() !== "")
    if (statements.length > 1) return "SCRIPT"
    const word = /^\s*\(*\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? ""
    return word === "WITH" ? "SELECT" : word
  }

  jobResource(job: Job, dryRun: boolean, query: Record<string, unknown>) {
    return {
      kind: "bigquery#job",
      id: `${this.config.projectId}:${job.location}.${job.id}`,
      jobReference: { projectId: this.config.projectId, jobId: job.id, location: job.location },
      configuration: { query, dryRun },
      status: { state: "DONE" },
      statistics: {
        totalBytesProcessed: String(job.bytes),
        query: {
          statementType: this.statementType(job.query),
          totalBytesProcessed: String(job.bytes),
          totalBytesBilled: dryRun ? "0" : String(job.bytes),
          schema: { fields: job.fields },
          referencedTables: [...new Set(job.tables)].map((name) => {
            const [datasetId, tableId] = name.split(".") as [string, string]
            return { projectId: this.config.projectId, datasetId, tableId }
          })
        }
      }
    }
  }

  async insertJob(project: string, body: Record<string, unknown>) {
    this.checkProject(project)
    const configuration = (body.configuration ?? {}) as { query?: Record<string, unknown>; dryRun?: boolean }
    const reference = (body.jobReference ?? {}) as { jobId?: string; location?: string }
    const query = configuration.query
    if (query === undefined || typeof query.query !== "string") throw new ApiFailure(400, "invalid", "Only query this.jobs are served here.")
    if (query.useLegacySql !== false) throw new ApiFailure(400, "invalidQuery", "This test server runs GoogleSQL only (useLegacySql: false).")
    const jobLocation = this.checkLocation(reference.location)
    const dryRun = configuration.dryRun === true
    this.counters.queries.push(query.query)
    // A dry run of a script or DML is answered from its first word alone: nothing runs.
    const result =
      dryRun && this.statementType(query.query) !== "SELECT"
        ? { fields: [], rows: [], bytes: 0, tables: [] }
        : await this.runQuery(this.connection, query.query, dryRun, true)
    if (!dryRun) this.checkBilled(query.maximumBytesBilled, result.bytes)
    const job: Job = {
      id: reference.jobId ?? randomUUID(),
      location: jobLocation,
      query: query.query,
      fields: result.fields,
      rows: result.rows,
      rowsInt64: true,
      bytes: result.bytes,
      tables: result.tables,
      pendingPolls: this.config.pendingPolls ?? 1
    }
    if (dryRun) this.counters.dryRuns++
    else {
      this.counters.jobsInserted++
      this.jobs.set(job.id, job)
    }
    return this.jobResource(job, dryRun, query)
  }

  /** A page of a job's rows from `startIndex`/`pageToken` (the token is the next row's index). */
  page(job: Job, params: URLSearchParams) {
    const asked = params.get("maxResults")
    if (asked !== null) this.counters.maxResultsAsked.push(Number(asked))
    const size = Math.min(asked === null ? this.pageRows : Number(asked), this.pageRows)
    const token = params.get("pageToken")
    const start = token !== null ? Number(token.replace(/^page-/, "")) : Number(params.get("startIndex") ?? 0)
    const end = Math.min(start + size, job.rows.length)
    this.counters.pagesServed++
    // Rows keep the TIMESTAMP form of the request that ran the job (jobs.insert: int64, as the Node client asks).
    const rows = job.rows.slice(start, end).map((f) => ({ f }))
    return {
      kind: "bigquery#getQueryResultsResponse",
      jobReference: { projectId: this.config.projectId, jobId: job.id, location: job.location },
      schema: { fields: job.fields },
      totalRows: String(job.rows.length),
      totalBytesProcessed: String(job.bytes),
      jobComplete: true,
      cacheHit: false,
      ...(rows.length === 0 ? {} : { rows }),
      ...(end < job.rows.length ? { pageToken: `page-${end}` } : {})
    }
  }

  getQueryResults(project: string, jobId: string, params: URLSearchParams) {
    this.checkProject(project)
    const job = this.jobs.get(jobId)
    if (job === undefined) throw new ApiFailure(404, "notFound", `Not found: Job ${project}:${this.location}.${jobId}`)
    this.checkLocation(params.get("location") ?? undefined)
    if (job.pendingPolls > 0) {
      job.pendingPolls--
      this.counters.pollsIncomplete++
      return { kind: "bigquery#getQueryResultsResponse", jobReference: { projectId: project, jobId, location: job.location }, jobComplete: false }
    }
    return this.page(job, params)
  }

  async queryJob(project: string, body: Record<string, unknown>) {
    this.checkProject(project)
    if (typeof body.query !== "string") throw new ApiFailure(400, "invalid", "Required parameter is missing: query")
    const jobLocation = this.checkLocation(typeof body.location === "string" ? body.location : undefined)
    const dryRun = body.dryRun === true
    this.counters.queries.push(body.query)
    const int64 = (body.formatOptions as { useInt64Timestamp?: boolean } | undefined)?.useInt64Timestamp === true
    const result = await this.runQuery(this.connection, body.query, dryRun, int64)
    if (!dryRun) this.checkBilled(body.maximumBytesBilled, result.bytes)
    this.counters.jobsQueried++
    const job: Job = {
      id: randomUUID(),
      location: jobLocation,
      query: body.query,
      fields: result.fields,
      rows: result.rows,
      rowsInt64: int64,
      bytes: result.bytes,
      tables: result.tables,
      pendingPolls: 0
    }
    if (dryRun)
      return { kind: "bigquery#queryResponse", schema: { fields: job.fields }, totalBytesProcessed: String(job.bytes), jobComplete: true }
    this.jobs.set(job.id, job)
    const params = new URLSearchParams(body.maxResults === undefined ? {} : { maxResults: String(body.maxResults) })
    return { ...this.page(job, params), kind: "bigquery#queryResponse" }
  }

  async route(request: http.IncomingMessage, url: URL) {
    const path = url.pathname
    if (request.method === "POST" && path === "/token") {
      const answer = exchangeAssertion(new URLSearchParams(await readBody(request)), this.config.serviceAccounts, Math.floor(Date.now() / 1000))
      if (!answer.ok) {
        this.counters.refusedTokens++
        throw Object.assign(new ApiFailure(400, answer.error, answer.description), { oauth: true })
      }
      this.counters.tokenExchanges++
      this.tokens.add(answer.accessToken)
      return { access_token: answer.accessToken, expires_in: 3599, token_type: "Bearer" }
    }
    if (request.method === "GET" && path === "/__test/stats") return this.counters
    if (request.method === "POST" && path === "/__test/fail") {
      this.failures.push(JSON.parse(await readBody(request)) as { status: number; reason: string; message: string })
      return { ok: true }
    }
    if (request.method === "POST" && path === "/__test/sql") {
      await this.runFixture(await readBody(request))
      return { ok: true }
    }
    // The API under /bigquery/v2 (apiEndpoint), or at the root (the client's BIGQUERY_EMULATOR_HOST).
    const api = /^(?:\/bigquery\/v2)?\/projects\/([^/]+)\/(jobs|queries|datasets)(?:\/([^/]+))?(?:\/tables\/([^/]+))?$/.exec(path)
    if (api === null) throw new ApiFailure(404, "notFound", `Not found: URL ${path}`)
    if (!path.startsWith("/bigquery/v2/")) this.counters.rootRequests++
    const authorization = request.headers.authorization ?? ""
    if (!authorization.startsWith("Bearer ") || !this.tokens.has(authorization.slice("Bearer ".length))) {
      this.counters.unauthorized++
      throw new ApiFailure(401, "authError", "Request is missing required authentication credential. Expected OAuth 2 access token.")
    }
    const injected = this.failures.shift()
    if (injected !== undefined) throw new ApiFailure(injected.status, injected.reason, injected.message)
    const [, project, collection, id, table] = api as unknown as [string, string, string, string | undefined, string | undefined]
    if (collection === "datasets" && request.method === "GET" && id !== undefined && table !== undefined) {
      return this.getTable(project, decodeURIComponent(id), decodeURIComponent(table))
    }
    const body = request.method === "POST" ? (JSON.parse((await readBody(request)) || "{}") as Record<string, unknown>) : {}
    if (collection === "jobs" && request.method === "POST" && id === undefined) return this.insertJob(project, body)
    if (collection === "jobs" && request.method === "GET" && id !== undefined) {
      const job = this.jobs.get(id)
      if (job === undefined) throw new ApiFailure(404, "notFound", `Not found: Job ${project}:${this.location}.${id}`)
      return this.jobResource(job, false, { query: job.query })
    }
    if (collection === "queries" && request.method === "POST" && id === undefined) return this.queryJob(project, body)
    if (collection === "queries" && request.method === "GET" && id !== undefined) return this.getQueryResults(project, id, url.searchParams)
    throw new ApiFailure(404, "notFound", `Not found: ${request.method} ${path}`)
  }
}

export const startServer = async (config: BigQueryTestServerConfig, port = 0): Promise<RunningServer> => {
  const instance = await DuckDBInstance.create(":memory:")
  const connection = await instance.connect()
  const backend = new Backend(config, connection)
  for (const statement of config.setup ?? []) await backend.runFixture(statement)
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1")
    backend.route(request, url).then(
      (body) => {
        response.writeHead(200, { "content-type": "application/json; charset=UTF-8" })
        response.end(JSON.stringify(body))
      },
      (error: unknown) => {
        const failure = error instanceof ApiFailure ? error : new ApiFailure(500, "internalError", String(error))
        const body =
          (failure as { oauth?: boolean }).oauth === true
            ? { error: failure.reason, error_description: failure.message }
            : errorBody(failure.status, failure.reason, failure.message)
        response.writeHead(failure.status, { "content-type": "application/json; charset=UTF-8" })
        response.end(JSON.stringify(body))
      }
    )
  })
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve))
  const address = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()))
      connection.closeSync()
      instance.closeSync()
    }
  }
}
