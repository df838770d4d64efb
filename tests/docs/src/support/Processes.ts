import { type ChildProcess, spawn } from "node:child_process"
import { once } from "node:events"
import path from "node:path"
import { fileURLToPath } from "node:url"

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")

/** The built CLI, as this package's workspace dependency installs it (turbo builds it first). */
export const cliBin = path.join(packageDir, "node_modules/@tablecast/cli/bin/run.js")

/** The edge worker's built Node entry (`node dist/main.js`, docs/edge.md "Running on Node"). */
export const edgeMain = path.join(packageDir, "node_modules/@tablecast/edge/dist/main.js")

export interface Finished {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Collects a child's output; resolves when it has exited and its streams are closed. */
export const finished = (child: ChildProcess, timeoutMillis: number): Promise<Finished> => {
  let stdout = ""
  let stderr = ""
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMillis)
  return new Promise((resolve, reject) => {
    child.on("error", reject)
    child.on("close", (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

/** A long-running process (a receiver, a server) and the URL it printed when it was ready. */
export interface Server {
  readonly url: string
  /** Stops it (SIGTERM) and waits for its exit: files it writes are then complete. */
  readonly stop: () => Promise<Finished>
}

/**
 * Starts a server process and waits for the line that gives its URL (`urlIn` picks it out of its
 * output, stdout and stderr). A process that exits first fails with its output.
 */
export const startServer = async (
  args: ReadonlyArray<string>,
  env: Record<string, string>,
  urlIn: (stdout: string) => string | undefined
): Promise<Server> => {
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  // A test that fails or times out must not leave the server running.
  const killOnExit = () => child.kill("SIGKILL")
  process.once("exit", killOnExit)
  const ended = finished(child, 600_000)
  void ended.then(() => process.off("exit", killOnExit))
  let output = ""
  const url = await new Promise<string>((resolve, reject) => {
    const look = (chunk: Buffer) => {
      output += chunk.toString()
      const found = urlIn(output)
      if (found !== undefined) resolve(found)
    }
    child.stdout!.on("data", look)
    child.stderr!.on("data", look)
    void ended.then((result) =>
      reject(new Error(`${args.join(" ")} exited ${result.code} before it was ready:\n${result.stdout}${result.stderr}`))
    )
  })
  return {
    url,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill("SIGTERM")
        await once(child, "close").catch(() => undefined)
      }
      return ended
    }
  }
}

/** A real `tablecast sink` on a free port (`--port 0`), writing what it accepts to `out`. */
export const startSink = (out: string): Promise<Server> =>
  startServer([cliBin, "sink", "--port", "0", "--out", out], {}, (stdout) => /listening on (http:\/\/[^\s(]+)/.exec(stdout)?.[1])
