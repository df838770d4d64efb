// The receiver in a process of its own, so that it does not share a thread with what it measures.
// Forked by the benchmark: it sends its URL once listening, answers "stats" messages with its
// counts, and exits when its parent disconnects. Run by hand (`node bench/dist/receiverProcess.js
// [port]`, e.g. to profile a sync against it): it prints its URL, and its counts when stopped.
import { startCountingReceiver } from "./CountingReceiver.ts"

const port = Number(process.argv[2] ?? 0)
const receiver = await startCountingReceiver({ port })
if (process.send !== undefined) {
  process.send({ url: receiver.url })
  process.on("message", (message) => {
    if (message === "stats") process.send!({ stats: receiver.stats() })
  })
  process.on("disconnect", () => {
    void receiver.close().then(() => process.exit(0))
  })
} else {
  console.log(receiver.url)
  const stop = () => {
    console.log(JSON.stringify(receiver.stats()))
    void receiver.close().then(() => process.exit(0))
  }
  process.on("SIGINT", stop)
  process.on("SIGTERM", stop)
}
