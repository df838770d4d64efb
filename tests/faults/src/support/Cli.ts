import { type ChildProcess, spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import path from "node:path"
import { fileURLToPath } from "node:url"
import type { IncrementalReport } from "@tablecast/incremental"

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")

/** The built CLI, as installed in this package's node_modules (turbo builds it before the tests). */
export const cliBin = path.join(packageDir, "node_modules/@tablecast/cli/bin/run.js")

export interface CliResult {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
  readonly millis: number
  /** The process's peak resident set (VmHWM), in KiB, as last sampled; 0 when never sampled. */
  readonly peakRssKiB: number
  /** Resident set samples (VmRSS, KiB), one per `memorySampleMillis`. */
  readonly rssSamplesKiB: ReadonlyArray<number>
}

export interface CliOptions {
  /** The whole environment of the CLI (PATH and HOME are added): no write key of the machine leaks in. */
  readonly env?: Record<string, string>
  readonly cwd?: string
  /** Killed with SIGKILL after this long (a hung run fails its test rather than the suite). */
  readonly timeoutMillis?: number
  /** Sample /proc/<pid>/status this often (0: never). */
  readonly memorySampleMillis?: number
}

export interface CliProcess {
  readonly pid: number
  readonly child: ChildProcess
  /** Output so far (stdout and stderr). */
  readonly output: () => { stdout: string; stderr: string }
  readonly exited: Promise<CliResult>
  readonly kill: (signal: NodeJS.Signals) => void
}

/** VmHWM and VmRSS of a live process, in KiB; undefined once it is gone. */
const memoryOf = (pid: number): { peak: number; now: number } | undefined => {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8")
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0)
    return { peak: field("VmHWM"), now: field("VmRSS") }
  } catch {
    return undefined
  }
}

/**
 * Starts the built CLI as a user would: its own process (so it can be killed and signalled), real
 * argv, a replaced environment. Runs on the Node that runs the tests (Node 24 via pnpm).
 */
export const startCli = (args: ReadonlyArray<string>, options: CliOptions = {}): CliProcess => {
  const started = Date.now()
  const child = spawn(process.execPath, [cliBin, ...args], {
    cwd: options.cwd ?? process.cwd(),
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...options.env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let stdout = ""
  let stderr = ""
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
  let peakRssKiB = 0
  const rssSamplesKiB: Array<number> = []
  const sample = () => {
    const memory = child.pid === undefined ? undefined : memoryOf(child.pid)
    if (memory === undefined) return
    peakRssKiB = Math.max(peakRssKiB, memory.peak)
    rssSamplesKiB.push(memory.now)
  }
  const sampler = options.memorySampleMillis ? setInterval(sample, options.memorySampleMillis) : undefined
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMillis ?? 90_000)
  const exited = new Promise<CliResult>((resolve, reject) => {
    child.on("error", reject)
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      if (sampler !== undefined) clearInterval(sampler)
      resolve({ code, signal, stdout, stderr, millis: Date.now() - started, peakRssKiB, rssSamplesKiB })
    })
  })
  // /proc/<pid> is gone once the process exits, so the peak is the last sample's VmHWM: callers
  // that need it sample often.
  return {
    pid: child.pid!,
    child,
    output: () => ({ stdout, stderr }),
    exited,
    kill: (signal) => void child.kill(signal)
  }
}

/** Runs the CLI to its end. */
export const runCli = (args: ReadonlyArray<string>, options: CliOptions = {}): Promise<CliResult> => startCli(args, options).exited

/** The JSON report a `--json` run printed on stdout. */
export const jsonReport = (result: CliResult): IncrementalReport => {
  try {
    return JSON.parse(result.stdout) as IncrementalReport
  } catch {
    throw new Error(
      `the CLI printed no JSON report (exit ${result.code}):\nstdout: ${result.stdout.slice(0, 2_000)}\nstderr: ${result.stderr.slice(0, 2_000)}`
    )
  }
}
