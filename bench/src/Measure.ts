import { spawn } from "node:child_process"
import { mkdtemp, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import type { Contender, ContenderOutput, RunInput } from "./Contenders.ts"
import type { ReceiverStats } from "./CountingReceiver.ts"
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

/** Runs Node with `args` in a process of its own; keeps stdout, and the end of stderr. */
export const runProcess = (args: ReadonlyArray<string>, env: Record<string, string>, cwd: string): Promise<Finished> =>
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
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, stdout, stderr, seconds: (performance.now() - started) / 1000 }))
  })

/**
 * Runs a contender once, in a process of its own, against a fresh receiver in another process, and
 * checks what arrived: every row's message once, none missing.
 */
export const measure = async (
  contender: Contender,
  input: Omit<RunInput, "endpoint" | "stateDir">,
  rows: number,
  cwd: string,
  nodeFlags: ReadonlyArray<string> = []
): Promise<Measurement> => {
  const receiver = contender.sends ? await startReceiverProcess() : undefined
  const scratch = await mkdtemp(path.join(tmpdir(), "tablecast-bench-"))
  const usageFile = path.join(scratch, "usage.json")
  try {
    const run = { ...input, endpoint: receiver?.url ?? "http://127.0.0.1:9", stateDir: path.join(scratch, "state") }
    const finished = await runProcess(
      [...nodeFlags, "--import", builtEntry("UsageReporter.js"), ...contender.args(run)],
      { ...contender.env, BENCH_USAGE_FILE: usageFile },
      cwd
    )
    const usage = JSON.parse(await readFile(usageFile, "utf8").catch(() => '{"peakRssBytes":0,"cpuSeconds":0}')) as ProcessUsage
    const stats = await receiver?.stats()
    const notes: Array<string> = []
    if (finished.code !== 0) notes.push(`exit code ${finished.code}: ${finished.stderr.trim().split("\n").slice(-3).join(" | ")}`)
    let output: ContenderOutput | undefined
    try {
      output = contender.readOutput(finished.stdout)
      if (output.note !== undefined) notes.push(output.note)
      if (output.rowsRead !== rows) notes.push(`read ${output.rowsRead} of ${rows} rows`)
    } catch (error) {
      notes.push(`unreadable output: ${error instanceof Error ? error.message : String(error)}`)
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
    return {
      key: contender.key,
      label: contender.label,
      rows,
      seconds: finished.seconds,
      rowsPerSecond: rows / finished.seconds,
      requests,
      bytesPerRequest: requests === 0 ? 0 : bytes / requests,
      peakRssBytes: usage.peakRssBytes,
      cpuSeconds: usage.cpuSeconds,
      rowsLost,
      duplicates,
      ...(stats === undefined ? {} : { receiver: stats }),
      exitCode: finished.code,
      notes
    }
  } finally {
    await receiver?.stop()
    await rm(scratch, { recursive: true, force: true })
  }
}
