import { createRequire } from "node:module"
import type { BigQuery, Job, QueryResultsOptions } from "@google-cloud/bigquery"
import type { JWT } from "google-auth-library"
import { GOOGLE_TOKEN_URL, type BigQuerySettings } from "./BigQuerySettings.ts"
import type { RestField } from "./BigQueryValues.ts"

type Client = typeof import("@google-cloud/bigquery")
type AuthLibrary = typeof import("google-auth-library")

let driver: Promise<{ client: Client; auth: AuthLibrary }> | undefined

/**
 * The official client, imported on first use, and the google-auth-library it uses itself (found
 * from the client's own folder, so that there is one copy and no second dependency to install).
 */
export const loadDriver = (): Promise<{ client: Client; auth: AuthLibrary }> => {
  driver ??= (async () => {
    const client = await import("@google-cloud/bigquery")
    const fromClient = createRequire(createRequire(import.meta.url).resolve("@google-cloud/bigquery"))
    const fromCommon = createRequire(fromClient.resolve("@google-cloud/common"))
    const auth = fromCommon("google-auth-library") as AuthLibrary
    return { client, auth }
  })()
  return driver
}

export const BIGQUERY_SCOPE = "https://www.googleapis.com/auth/bigquery"

/**
 * A client authenticated as the key file's service account. The token exchange goes to the key's
 * `token_uri` when that is a loopback test server (google-auth-library always posts to Google's
 * endpoint; a request interceptor redirects that one URL, nothing else).
 */
export const makeClient = async (settings: BigQuerySettings): Promise<BigQuery> => {
  const { client, auth } = await loadDriver()
  const jwt: JWT = new auth.JWT({
    email: settings.key.clientEmail,
    key: settings.key.privateKey,
    ...(settings.key.privateKeyId === undefined ? {} : { keyId: settings.key.privateKeyId }),
    scopes: [BIGQUERY_SCOPE]
  })
  if (settings.key.tokenUrl !== GOOGLE_TOKEN_URL) {
    const tokenUrl = new URL(settings.key.tokenUrl)
    jwt.transporter.interceptors.request.add({
      resolved: async (config) => {
        if (String(config.url) === GOOGLE_TOKEN_URL) config.url = tokenUrl
        return config
      }
    })
  }
  const bigquery = new client.BigQuery({
    projectId: settings.projectId,
    ...(settings.location === undefined ? {} : { location: settings.location }),
    apiEndpoint: settings.apiEndpoint,
    authClient: jwt,
    autoRetry: true,
    maxRetries: 3
  })
  // The client takes its request base from process.env.BIGQUERY_EMULATOR_HOST whenever that is set,
  // over apiEndpoint: the checked settings decide instead.
  bigquery.baseUrl = settings.requestBase
  return bigquery
}

/** What a query job is asked to do. */
export interface QueryRequest {
  readonly sql: string
  readonly location: string | undefined
  readonly maximumBytesBilled: string | undefined
  readonly dryRun: boolean
}

/** A dry run's answer: what the query would scan, and what kind of statement BigQuery found it to be. */
export interface DryRun {
  readonly totalBytesProcessed: number
  readonly statementType: string | undefined
  readonly fields: ReadonlyArray<RestField>
  /** The tables the query reads, as BigQuery's dry run names them (`statistics.query.referencedTables`). */
  readonly referencedTables: ReadonlyArray<TableReference>
}

export interface TableReference {
  readonly projectId: string
  readonly datasetId: string
  readonly tableId: string
}

const queryOptions = (request: QueryRequest) => ({
  query: request.sql,
  useLegacySql: false,
  jobPrefix: "tablecast_",
  ...(request.location === undefined ? {} : { location: request.location }),
  ...(request.maximumBytesBilled === undefined ? {} : { maximumBytesBilled: request.maximumBytesBilled }),
  ...(request.dryRun ? { dryRun: true } : {})
})

/** jobs.insert with `dryRun`: nothing runs, nothing is billed. */
export const dryRun = async (client: BigQuery, request: Omit<QueryRequest, "dryRun">): Promise<DryRun> => {
  const [, response] = await client.createQueryJob(queryOptions({ ...request, dryRun: true }))
  const statistics = (
    response as {
      statistics?: {
        totalBytesProcessed?: string
        query?: { statementType?: string; schema?: { fields?: Array<RestField> }; referencedTables?: Array<TableReference> }
      }
    }
  ).statistics
  return {
    totalBytesProcessed: Number(statistics?.totalBytesProcessed ?? 0),
    statementType: statistics?.query?.statementType,
    fields: statistics?.query?.schema?.fields ?? [],
    referencedTables: statistics?.query?.referencedTables ?? []
  }
}

/** tables.get: when the table's data or schema last changed (ms since the epoch, as BigQuery gives it). */
export const lastModifiedTime = async (client: BigQuery, table: TableReference): Promise<string> => {
  const [metadata] = await client.dataset(table.datasetId, { projectId: table.projectId }).table(table.tableId).getMetadata()
  return String((metadata as { lastModifiedTime?: string }).lastModifiedTime ?? "")
}

/** jobs.insert: the query job, running. */
export const startQuery = async (client: BigQuery, request: Omit<QueryRequest, "dryRun">): Promise<Job> => {
  const [job] = await client.createQueryJob(queryOptions({ ...request, dryRun: false }))
  return job
}

/** One page of results as the REST API gives it. */
export interface ResultPage {
  readonly fields: ReadonlyArray<RestField>
  readonly rows: ReadonlyArray<unknown>
  readonly totalRows: number | undefined
  readonly pageToken: string | undefined
}

/**
 * jobs.getQueryResults for one page, raw (`skipParsing`: the cells stay BigQuery's text, which is
 * what keeps NUMERIC and INT64 exact). Polls while the job is still running.
 */
export const fetchPage = async (job: Job, pageSize: number, pageToken: string | undefined): Promise<ResultPage> => {
  for (;;) {
    const options: QueryResultsOptions = {
      maxResults: pageSize,
      autoPaginate: false,
      skipParsing: true,
      ...(pageToken === undefined ? {} : { pageToken })
    }
    const [rows, , response] = await job.getQueryResults(options)
    const answer = response as
      | { jobComplete?: boolean; schema?: { fields?: Array<RestField> }; totalRows?: string; pageToken?: string }
      | undefined
    if (answer?.jobComplete === false) continue
    return {
      fields: answer?.schema?.fields ?? [],
      rows: rows as ReadonlyArray<unknown>,
      totalRows: answer?.totalRows === undefined ? undefined : Number(answer.totalRows),
      pageToken: answer?.pageToken
    }
  }
}
