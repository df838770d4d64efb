import { fork } from "node:child_process"

/** A server started in this process: where it listens, and how it closes. */
export interface ListeningServer {
  readonly url: string
  readonly port: number
  readonly close: () => Promise<void>
}

/** A server running in a child process. */
export interface ChildServer {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string
  readonly port: number
  readonly stop: () => Promise<void>
}

interface ChildMessage {
  readonly type: string
  readonly port?: number
  readonly url?: string
  readonly message?: string
}

/**
 * Forks `entry` (a file that calls `serveInChildProcess`), sends it `config` and the port to listen
 * on (0: any free one), and resolves once it listens. `name` ("the BigQuery test server") words
 * the errors.
 */
export const startInChildProcess = <Config>(entry: URL, name: string, config: Config, port = 0): Promise<ChildServer> =>
  new Promise((resolve, reject) => {
    const child = fork(entry, [], { execArgv: [], stdio: ["ignore", "inherit", "inherit", "ipc"] })
    child.once("error", reject)
    child.once("exit", (code) => reject(new Error(`${name} exited with code ${code}`)))
    child.on("message", (message: ChildMessage) => {
      if (message.type === "error") reject(new Error(`${name} did not start: ${message.message}`))
      if (message.type !== "listening") return
      resolve({
        url: message.url!,
        port: message.port!,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done()
            child.removeAllListeners("exit")
            child.once("exit", () => done())
            child.send({ type: "stop" })
          })
      })
    })
    child.send({ type: "start", config, port })
  })

/**
 * The child's side: waits for its configuration over IPC, starts the server, answers with the port
 * it listens on, and stops when told to (or when its parent goes away).
 */
export const serveInChildProcess = <Config>(start: (config: Config, port: number) => Promise<ListeningServer>): void => {
  const send = (message: ChildMessage) => process.send?.(message)
  process.on("message", (message: { type: string; config?: Config; port?: number }) => {
    if (message.type !== "start" || message.config === undefined) return
    start(message.config, message.port ?? 0).then(
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
}
