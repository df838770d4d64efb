import { startSink } from "@tablecast/sink"
const sink = await startSink({ port: 4398, trackMessageIds: false })
console.log(sink.url)
process.on("SIGTERM", async () => { await sink.close(); console.log(JSON.stringify(sink.stats().messagesAccepted)); process.exit(0) })
