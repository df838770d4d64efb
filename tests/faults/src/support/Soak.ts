import path from "node:path"
import type { DeliveryReport } from "@tablecast/core"
import { type SinkFaultsInput, type SinkStats, startSink } from "@tablecast/sink"
import { jsonReport, runCli } from "./Cli.ts"
import { deliveryProblems, readReceived, rowRange } from "./Received.ts"
import { writeRowsCsv } from "./Rows.ts"
import { env, syncArgs, WRITE_KEY } from "./SyncCommand.ts"

export interface SoakSettings {
  readonly rows: number
  /** A folder for the CSV, the receiver's file and the checkpoint. */
  readonly dir: string
  /** The receiver's faults, drawn per request. */
  readonly faults: SinkFaultsInput
  /** `--timeout` of the CLI, in ms (a slowed answer past it is a timeout). */
  readonly requestTimeoutMillis: number
  /** Extra CLI flags. */
  readonly extraArgs?: ReadonlyArray<string>
  /** The whole run is killed after this long. */
  readonly cliTimeoutMillis: number
}

export interface SoakResult {
  readonly exitCode: number | null
  readonly stderr: string
  readonly report: DeliveryReport
  readonly wallMillis: number
  readonly peakRssKiB: number
  /** Resident set over the run, sampled every 100 ms. */
  readonly rssSamplesKiB: ReadonlyArray<number>
  readonly sink: SinkStats
  /** Messages in the receiver's file and their distinct messageIds. */
  readonly stored: number
  readonly distinctIds: number
  /** What is wrong with the delivery (every row, each under one messageId); empty when nothing. */
  readonly problems: ReadonlyArray<string>
}

/**
 * Sends `rows` generated rows through the built CLI to a receiver injecting `faults`, then reads
 * back what the receiver stored. The CLI's memory is sampled from /proc as it runs.
 */
export const runSoak = async (settings: SoakSettings): Promise<SoakResult> => {
  const file = path.join(settings.dir, "soak.csv")
  const out = path.join(settings.dir, "received.jsonl")
  await writeRowsCsv(file, settings.rows)
  const sink = await startSink({ out, writeKeys: [WRITE_KEY], ...settings.faults })
  try {
    const args = syncArgs(file, sink.url, [
      "--timeout",
      String(settings.requestTimeoutMillis),
      "--progress",
      "none",
      ...(settings.extraArgs ?? [])
    ])
    const result = await runCli(args, { cwd: settings.dir, env: env(), timeoutMillis: settings.cliTimeoutMillis, memorySampleMillis: 100 })
    // Answers the CLI gave up on (timeouts) are still being finished by the receiver, as a real
    // one would: let them land before counting.
    await new Promise((resolve) => setTimeout(resolve, (settings.faults.delayMillis ?? 0) + 200))
    await sink.close()
    const received = await readReceived(out)
    return {
      exitCode: result.code,
      stderr: result.stderr,
      report: jsonReport(result),
      wallMillis: result.millis,
      peakRssKiB: result.peakRssKiB,
      rssSamplesKiB: result.rssSamplesKiB,
      sink: sink.stats(),
      stored: received.stored,
      distinctIds: received.distinctIds,
      problems: deliveryProblems(received, rowRange(1, settings.rows))
    }
  } finally {
    await sink.close()
  }
}

/** The mixed faults of the soak: every kind at once, at rates that keep the run to minutes. */
export const mixedFaults = (seed: number): SinkFaultsInput => ({
  seed,
  throttleShare: 0.002,
  retryAfterSeconds: 1,
  serverErrorShare: 0.02,
  dropShare: 0.005,
  halfWriteShare: 0.005,
  // 0.3% of answers come after 1.5 s, past a 1 s --timeout.
  delayMillis: 1_500,
  slowShare: 0.003
})

/** The RSS (KiB) at each tenth of the run, to show whether memory grows with the rows sent. */
export const rssByTenth = (samples: ReadonlyArray<number>): Array<number> =>
  samples.length === 0
    ? []
    : Array.from({ length: 10 }, (_, i) => samples[Math.min(samples.length - 1, Math.floor(((i + 1) * samples.length) / 10) - 1)]!)
