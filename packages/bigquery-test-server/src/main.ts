import { type BigQueryTestServerConfig, startServer } from "./BigQueryTestServer.ts"

/**
 * Child-process entry of the test server: receives its configuration over IPC, answers with the
 * port it listens on, and stops when told to (or when its parent goes away). Running the server
 * in its own process keeps its work out of the memory figures of the process under test.
 */
const send = (message: unknown) => process.send?.(message)

process.on("message", (message: { type: string; config?: BigQueryTestServerConfig; port?: number }) => {
  if (message.type !== "start" || message.config === undefined) return
  startServer(message.config, message.port ?? 0).then(
    (server) => {
      send({ type: "listening", port: server.port, url: server.url })
      process.on("message", (next: { type: string }) => {
        if (next.type === "stop") void server.close().finally(() => process.exit(0))
      })
    },
    (error: unknown) => {
      send({ type: "error", message: error instanceof Error ? error.message : String(error) })
      process.exit(1)
    }
  )
})
process.on("disconnect", () => process.exit(0))
