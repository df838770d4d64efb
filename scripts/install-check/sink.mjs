// The installed CLI's own receiver, `tablecast sink --port 0`: the check reads the address it
// prints, and afterwards the messages it wrote to its --out file.
import { spawn } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"

// A guard against a sink that never starts, not a measurement: it prints its address at once.
const startDeadlineMillis = 60_000

/** Starts `tablecast sink` from an install folder; resolves once it prints its address. */
export const startSink = ({ installFolder, env }) =>
  new Promise((resolve, reject) => {
    const out = join(installFolder, "received.jsonl")
    const child = spawn(join(installFolder, "node_modules", ".bin", "tablecast"), ["sink", "--port", "0", "--out", out], {
      cwd: installFolder,
      env,
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stderr = ""
    const deadline = setTimeout(() => {
      child.kill("SIGTERM")
      reject(new Error(`tablecast sink printed no address within ${startDeadlineMillis / 1000} s:\n${stderr}`))
    }, startDeadlineMillis)
    child.on("error", reject)
    child.on("exit", (code) => {
      clearTimeout(deadline)
      reject(new Error(`tablecast sink exited (${code}) before listening:\n${stderr}`))
    })
    child.stderr.setEncoding("utf8").on("data", (text) => {
      stderr += text
      const address = /listening on (http:\/\/[^\s,)]+)/.exec(stderr)
      if (address === null) return
      clearTimeout(deadline)
      child.removeAllListeners("exit")
      resolve({ url: address[1], received: () => receivedMessages(out), stop: () => stopSink(child, out) })
    })
  })

/** The messages the sink accepted so far (its --out file). */
const receivedMessages = (out) => {
  const lines = existsSync(out)
    ? readFileSync(out, "utf8")
        .split("\n")
        .filter((line) => line !== "")
    : []
  return lines.map((line) => JSON.parse(line))
}

/** Stops the sink (SIGTERM, as Ctrl-C would) and returns the messages it accepted. */
const stopSink = (child, out) =>
  new Promise((resolve) => {
    const received = () => resolve(receivedMessages(out))
    if (child.exitCode !== null || child.signalCode !== null) return received()
    child.once("exit", received)
    child.kill("SIGTERM")
  })
