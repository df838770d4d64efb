// The receiver in a process of its own, so that it does not share a thread with what it measures.
// Started with fork(): it sends its URL once listening, answers "stats" messages with its counts,
// and exits when its parent disconnects.
import { startCountingReceiver } from "./CountingReceiver.ts"

const receiver = await startCountingReceiver()
process.send!({ url: receiver.url })
process.on("message", (message) => {
  if (message === "stats") process.send!({ stats: receiver.stats() })
})
process.on("disconnect", () => {
  void receiver.close().then(() => process.exit(0))
})
