import { startNodeServer } from "./node.ts"

// `node dist/main.js`: serves the edge on PORT (8787) at HOST (127.0.0.1), configured by the environment.
const server = await startNodeServer({
  port: Number(process.env["PORT"] ?? 8787),
  hostname: process.env["HOST"] ?? "127.0.0.1"
})
console.log(JSON.stringify({ time: new Date().toISOString(), level: "info", event: "server.listening", url: server.url }))
const stop = () => void server.close().then(() => process.exit(0))
process.once("SIGINT", stop)
process.once("SIGTERM", stop)
