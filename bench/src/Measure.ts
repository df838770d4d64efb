import { spawn } from "node:child_process"
import { mkdtemp, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import type { Contender, ContenderOutput, RunInput } from "./Contenders.ts"
import type { ReceiverConditions, ReceiverStats } from "./CountingReceiver.ts"
import { builtEntry } from "./Paths.ts"
import { startReceiverProcess } from "./Receiver.ts"
import type { ProcessUsage } from "./Usage.ts"

/** One run of one contender. */
export interface Measurement {
  readonly key: string
  readonly label: string
  readonly rows: number
  /** Wall time of the contender's process, start-up included. */
  readonly seconds: number
  readonly rowsPerSecond: number
  /** Requests the receiver got (or, for the bare bound, the batches it built). */
  readonly requests: number
  readonly bytesPerRequest: number
  readonly peakRssBytes: number
  readonly cpuSeconds: number
  /** Rows whose message never arrived (or, for the bare bound, never built). */
  readonly rowsLost: number
  readonly duplicates: number
  /** Answers of 429 (rate limit and fault mix), 500/503, and connections reset without one. */
  readonly tooManyRequests: number
  readonly serverErrors: number
  readonly resets: number
  /** Requests sent again, when the contender reports it (tablecast does). */
  readonly retries?: number
  /** The sending policy's figures from tablecast's report, when it has them. */
  readonly sending?: Readonly<Record<string, number | string | boolean>>
  /** Stopped at the scenario's timeout: rows/s then counts the rows that arrived by then. */
  readonly timedOut: boolean
  readonly receiver?: ReceiverStats
  readonly exitCode: number | null
  readonly notes: ReadonlyArray<string>
}

export interface Finished {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
  readonly seconds: number
}

/**
 * Runs Node with `args` in a process of its own; keeps stdout, and the end of stderr. Past
 * `timeoutSeconds` the process is killed (SIGKILL: a drain would only measure more waiting).
 */
export const runProcess = (
  args: ReadonlyArray<string>,
  env: Record<string, string>,
  cwd: string,
  timeoutSeconds?: number
): Promise<Finished & { readonly timedOut: boolean }> =>
  new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(process.execPath, [...args], {
      cwd,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr = (stderr + chunk).slice(-4_000)))
    let timedOut = false
    const timer =
      timeoutSeconds === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true
            child.kill("SIGKILL")
          }, timeoutSeconds * 1000)
    child.on("error", reject)
    child.on("close", (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr, seconds: (performance.now() - started) / 1000, timedOut })
    })
  })

/**
 * Runs a contender once, in a process of its own, against a fresh receiver in another process, and
 * checks what arrived: every row's message once, none missing.
 */
export interface MeasureOptions {
  readonly nodeFlags?: ReadonlyArray<string>
  /** How the receiver behaves (default: loopback, answered at once). */
  readonly conditions?: ReceiverConditions
  readonly timeoutSeconds?: number
}

export const measure = async (
  contender: Contender,
  input: Omit<RunInput, "endpoint" | "stateDir">,
  rows: number,
  cwd: string,
  options: MeasureOptions | ReadonlyArray<string> = {}
): Promise<Measurement> => {
  const { nodeFlags = [], conditions, timeoutSeconds } = Array.isArray(options) ? { nodeFlags: options } : (options as MeasureOptions)
  await contender.prepare?.(input)
  const receiver = contender.sends ? await startReceiverProcess(conditions) : undefined
  const scratch = await mkdtemp(path.join(tmpdir(), "tablecast-bench-"))
  const usageFile = path.join(scratch, "usage.json")
  try {
    const run = { ...input, endpoint: receiver?.url ?? "http://127.0.0.1:9", stateDir: path.join(scratch, "state") }
    const finished = await runProcess(
      [...nodeFlags, "--import", builtEntry("UsageReporter.js"), ...contender.args(run)],
      { ...contender.env, BENCH_USAGE_FILE: usageFile },
      cwd,
      timeoutSeconds
    )
    const usage = JSON.parse(await readFile(usageFile, "utf8").catch(() => '{"peakRssBytes":0,"cpuSeconds":0}')) as ProcessUsage
    const stats = await receiver?.stats()
    const notes: Array<string> = []
    if (finished.timedOut) notes.push(`timed out after ${timeoutSeconds} s`)
    else if (finished.code !== 0) notes.push(`exit code ${finished.code}: ${finished.stderr.trim().split("\n").slice(-3).join(" | ")}`)
    let output: ContenderOutput | undefined
    if (!finished.timedOut) {
      try {
        output = contender.readOutput(finished.stdout)
        if (output.note !== undefined) notes.push(output.note)
        if (output.rowsRead !== rows) notes.push(`read ${output.rowsRead} of ${rows} rows`)
      } catch (error) {
        notes.push(`unreadable output: ${error instanceof Error ? error.message : String(error)}`)
      }
    }
    let requests: number
    let bytes: number
    let rowsLost: number
    let duplicates = 0
    if (stats !== undefined) {
      requests = stats.requests
      bytes = stats.bytes
      rowsLost = rows - stats.distinctMessageIds
      duplicates = stats.duplicateMessageIds
      if (stats.verifyFailures > 0) notes.push(`${stats.verifyFailures} sampled batches did not parse as counted`)
      if (stats.refused > 0) notes.push(`${stats.refused} requests refused by the receiver`)
      if (duplicates > 0) notes.push(`${duplicates} duplicate messageIds`)
    } else {
      requests = output?.plannedBatches ?? 0
      bytes = output?.plannedBytes ?? 0
      rowsLost = rows - (output?.rowsRead ?? 0)
    }
    // A run stopped at its timeout is credited with the rows that arrived by then.
    const rowsDone = finished.timedOut ? rows - rowsLost : rows
    return {
      key: contender.key,
      label: contender.label,
      rows,
      seconds: finished.seconds,
      rowsPerSecond: rowsDone / finished.seconds,
      requests,
      bytesPerRequest: requests === 0 ? 0 : bytes / requests,
      peakRssBytes: usage.peakRssBytes,
      cpuSeconds: usage.cpuSeconds,
      rowsLost,
      duplicates,
      tooManyRequests: (stats?.rateLimited ?? 0) + (stats?.faults429 ?? 0),
      serverErrors: stats?.serverErrors ?? 0,
      resets: stats?.resets ?? 0,
      ...(output?.retries === undefined ? {} : { retries: output.retries }),
      ...(output?.sending === undefined ? {} : { sending: output.sending }),
      timedOut: finished.timedOut,
      ...(stats === undefined ? {} : { receiver: stats }),
      exitCode: finished.code,
      notes
    }
  } finally {
    await receiver?.stop()
    await rm(scratch, { recursive: true, force: true })
  }
}
