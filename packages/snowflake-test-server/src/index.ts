import { fork } from "node:child_process"
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
export const startSnowflakeTestServer = (config: SnowflakeTestServerConfig, port = 0): Promise<SnowflakeTestServer> =>
  new Promise((resolve, reject) => {
    const entry = new URL(import.meta.url.endsWith(".ts") ? "./main.ts" : "./main.js", import.meta.url)
    const child = fork(entry, [], { execArgv: [], stdio: ["ignore", "inherit", "inherit", "ipc"] })
    child.once("error", reject)
    child.once("exit", (code) => reject(new Error(`the Snowflake test server exited with code ${code}`)))
    child.on("message", (message: { type: string; port?: number; url?: string; message?: string }) => {
      if (message.type === "error") reject(new Error(`the Snowflake test server did not start: ${message.message}`))
      if (message.type !== "listening") return
      const url = message.url!
      resolve({
        url,
        port: message.port!,
        stats: async () => (await (await fetch(`${url}/__test/stats`)).json()) as ServerStats,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done()
            child.removeAllListeners("exit")
            child.once("exit", () => done())
            child.send({ type: "stop" })
          })
      })
    })
    child.send({ type: "start", config, port })
  })
