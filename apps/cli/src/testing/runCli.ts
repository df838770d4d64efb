import { spawn } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../bin/run.js")

export interface CliResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/**
 * Runs the built CLI as a user would: a separate process, real argv, real environment. The
 * environment is replaced, not merged, so no SEGMENT_WRITE_KEY of the machine leaks into a test;
 * the working folder is a fresh one unless given, so no checkpoint of another test is resumed.
 */
export const runCli = (
  args: ReadonlyArray<string>,
  options: {
    env?: Record<string, string>
    cwd?: string
    timeoutMillis?: number
    /** Sends SIGTERM once stderr matches (a server that runs until stopped: `tablecast sink`). */
    stopWhenStderr?: RegExp
  } = {}
): Promise<CliResult> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: options.cwd ?? mkdtempSync(path.join(tmpdir(), "tablecast-cwd-")),
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...options.env },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()))
    let stopped = false
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString()
      if (!stopped && options.stopWhenStderr?.test(stderr) === true) {
        stopped = true
        child.kill("SIGTERM")
      }
    })
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMillis ?? 60_000)
    child.on("error", reject)
    child.on("close", (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
