import { type ChildProcess, fork } from "node:child_process"
import type { ReceiverConditions, ReceiverStats } from "./CountingReceiver.ts"
import { builtEntry } from "./Paths.ts"
import { argsFromConditions } from "./ReceiverArgs.ts"

/** A counting receiver running in a child process. */
export interface ReceiverProcess {
  readonly url: string
  readonly stats: () => Promise<ReceiverStats>
  readonly stop: () => Promise<void>
}

/** Forks the receiver and waits until it listens. */
export const startReceiverProcess = async (conditions: ReceiverConditions = {}): Promise<ReceiverProcess> => {
  const child: ChildProcess = fork(builtEntry("receiverProcess.js"), argsFromConditions(conditions), {
    stdio: ["ignore", "inherit", "inherit", "ipc"]
  })
  const url = await new Promise<string>((resolve, reject) => {
    child.once("error", reject)
    child.once("exit", (code) => reject(new Error(`the receiver exited (${code}) before listening`)))
    child.once("message", (message) => resolve((message as { url: string }).url))
  })
  child.removeAllListeners("exit")
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  return {
    url,
    stats: () =>
      new Promise<ReceiverStats>((resolve) => {
        child.once("message", (message) => resolve((message as { stats: ReceiverStats }).stats))
        child.send("stats")
      }),
    stop: async () => {
      if (child.connected) child.disconnect()
      await exited
    }
  }
}
