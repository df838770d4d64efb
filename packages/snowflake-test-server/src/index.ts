import { startInChildProcess } from "@tablecast/test-server-process"
import type { ServerStats, SnowflakeTestServerConfig } from "./SnowflakeTestServer.ts"

export type { PostgresTarget, ServerStats, SnowflakeTestServerConfig, TestUser } from "./SnowflakeTestServer.ts"
export { type RunningServer, startServer } from "./SnowflakeTestServer.ts"
export { translateSql } from "./SqlTranslator.ts"

/** A test server running in a child process. */
export interface SnowflakeTestServer {
  /** `http://127.0.0.1:PORT`: give it to the driver as `accessUrl`. */
  readonly url: string
  readonly port: number
  /** What the server has seen so far. */
  readonly stats: () => Promise<ServerStats>
  readonly stop: () => Promise<void>
}

/**
 * Starts the Snowflake protocol test server in its own Node process (on loopback, any free port
 * unless one is given). Node runs the TypeScript sources directly (type stripping, Node 22.18+).
 */
export const startSnowflakeTestServer = async (config: SnowflakeTestServerConfig, port = 0): Promise<SnowflakeTestServer> => {
  const entry = new URL(import.meta.url.endsWith(".ts") ? "./main.ts" : "./main.js", import.meta.url)
  const child = await startInChildProcess(entry, "the Snowflake test server", config, port)
  return { ...child, stats: async () => (await (await fetch(`${child.url}/__test/stats`)).json()) as ServerStats }
}
