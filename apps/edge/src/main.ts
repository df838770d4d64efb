import { EdgeConfigError } from "./EdgeConfig.ts"
import { startNodeServer } from "./node.ts"

// `node dist/main.js`: serves the edge on PORT (8787) at HOST (127.0.0.1), configured by the environment.
let server: Awaited<ReturnType<typeof startNodeServer>>
try {
  server = await startNodeServer({
    port: Number(process.env["PORT"] ?? 8787),
    hostname: process.env["HOST"] ?? "127.0.0.1"
  })
} catch (error) {
  if (!(error instanceof EdgeConfigError)) throw error
  // The message names the variables at fault, never their values.
  process.stderr.write(`tablecast-edge: ${error.message}\n`)
  process.exit(2)
}
console.log(JSON.stringify({ time: new Date().toISOString(), level: "info", event: "server.listening", url: server.url }))
const stop = () => void server.close().then(() => process.exit(0))
process.once("SIGINT", stop)
process.once("SIGTERM", stop)
