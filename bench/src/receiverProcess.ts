// The receiver in a process of its own, so that it does not share a thread with what it measures.
// Forked by the benchmark: it sends its URL once listening, answers "stats" messages with its
// counts, and exits when its parent disconnects. Run by hand (`node bench/dist/receiverProcess.js
// [port] [--latency 80] [--receiver-rps 20] [--faults [--fault-seed N]]`, e.g. to profile a sync
// against it): it prints its URL, and its counts when stopped.
import { parseArgs } from "node:util"
import { count } from "./Args.ts"
import { startCountingReceiver } from "./CountingReceiver.ts"
import { conditionsFromArgs } from "./ReceiverArgs.ts"

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    latency: { type: "string" },
    "receiver-rps": { type: "string" },
    faults: { type: "boolean", default: false },
    "fault-seed": { type: "string" }
  }
})
const port = count(positionals[0], 0)
const receiver = await startCountingReceiver({ port, conditions: conditionsFromArgs(values) })
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
