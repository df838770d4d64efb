import { startInChildProcess } from "@tablecast/test-server-process"
import type { BigQueryTestServerConfig, ServerStats } from "./BigQueryTestServer.ts"

export type { BigQueryTestServerConfig, ServerStats } from "./BigQueryTestServer.ts"
export { type RunningServer, startServer } from "./BigQueryTestServer.ts"
export { makeServiceAccount, type TestServiceAccount } from "./ServiceAccountKey.ts"
export { translateSql } from "./SqlTranslator.ts"
export { exchangeAssertion, GOOGLE_TOKEN_AUDIENCE, type ServiceAccount } from "./TokenExchange.ts"

/** A test server running in a child process. */
export interface BigQueryTestServer {
  /** `http://127.0.0.1:PORT`: the client's `apiEndpoint`; `${url}/token` answers the token exchange. */
  readonly url: string
  readonly port: number
  /** What the server has seen so far. */
  readonly stats: () => Promise<ServerStats>
  /** The next API request (after the token exchange) fails with this BigQuery error. */
  readonly failNext: (failure: { status: number; reason: string; message: string }) => Promise<void>
  /** Runs SQL on the DuckDB database behind the server (fixtures). */
  readonly sql: (statement: string) => Promise<void>
  readonly stop: () => Promise<void>
}

/**
 * Starts the BigQuery REST test server in its own Node process (on loopback, any free port unless
 * one is given): its DuckDB and its pages stay out of the memory figures of the process under test.
 */
export const startBigQueryTestServer = async (config: BigQueryTestServerConfig, port = 0): Promise<BigQueryTestServer> => {
  const entry = new URL(import.meta.url.endsWith(".ts") ? "./main.ts" : "./main.js", import.meta.url)
  const child = await startInChildProcess(entry, "the BigQuery test server", config, port)
  const post = async (path: string, body: string) => {
    const response = await fetch(`${child.url}${path}`, { method: "POST", body })
    if (!response.ok) throw new Error(`test server ${path}: ${response.status} ${await response.text()}`)
  }
  return {
    ...child,
    stats: async () => (await (await fetch(`${child.url}/__test/stats`)).json()) as ServerStats,
    failNext: (failure) => post("/__test/fail", JSON.stringify(failure)),
    sql: (statement) => post("/__test/sql", statement)
  }
}
