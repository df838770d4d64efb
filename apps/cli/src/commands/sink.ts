import { Flags } from "@oclif/core"
import { formatSinkStats, startSink } from "@tablecast/sink"
import { BaseCommand } from "../BaseCommand.ts"
import { ExitCode } from "../ExitCode.ts"
import { checkOutput, describeFsError } from "../OutputFiles.ts"
import { sinkOptionsOf } from "../SinkOptions.ts"

const share = (summary: string) => Flags.string({ summary, helpGroup: "FAULTS" })

export default class SinkCommand extends BaseCommand {
  static override summary = "Run a local Segment-compatible receiver, to try a sync without a Segment account."

  static override description =
    `Listens on loopback for POST /v1/batch (and /v1/track, /v1/identify, ...), checks each request as Segment would (write key, JSON, 500 KB per request, 32 KB per message, 2,500 messages per batch, required fields), answers as Segment does, appends what it accepted to a JSONL file, and prints counts. GET /stats returns the counts as JSON.

It can inject faults to see retries at work: a share of 429s with Retry-After, 5xx answers, dropped connections, half-written answers, slow answers. Stop it with Ctrl-C; it prints its counts as it stops.

Exit codes (docs/exit-codes.md): 0 stopped by Ctrl-C/SIGTERM after printing its counts; 1 internal error; 2 bad flags, or the address is in use; 11 the --out file cannot be written.`

  static override examples = [
    {
      description: "Receive on port 14318 and keep what arrives",
      command: "<%= config.bin %> <%= command.id %> --port 14318 --out received.jsonl"
    },
    { description: "Accept one write key only", command: "<%= config.bin %> <%= command.id %> --port 14318 --write-key test" },
    {
      description: "Misbehave like a busy Segment: 20% 500s, 10% 429s with Retry-After: 1",
      command: "<%= config.bin %> <%= command.id %> --port 14318 --server-errors 20% --throttle 10% --retry-after 1"
    }
  ]

  static override flags = {
    port: Flags.integer({ summary: "Port to listen on (0 picks a free one).", default: 14318, min: 0, max: 65_535 }),
    host: Flags.string({ summary: "Address to listen on.", default: "127.0.0.1" }),
    out: Flags.string({ char: "o", summary: "Append accepted messages to this JSONL file." }),
    "write-key": Flags.string({ summary: "Accept only this write key (repeatable); default: any non-empty key.", multiple: true }),
    throttle: share("Share of requests answered 429 with Retry-After (0.1 or 10%)."),
    "retry-after": Flags.integer({ summary: "Retry-After of those 429s, in seconds.", helpGroup: "FAULTS" }),
    "server-errors": share("Share of requests answered 500/502/503."),
    drop: share("Share of requests whose connection is reset without an answer."),
    "half-write": share("Share of requests answered with a 200 cut off mid-body."),
    delay: Flags.integer({ summary: "Delay answers by this many ms.", helpGroup: "FAULTS" }),
    slow: share("Share of requests that wait --delay (default all)."),
    down: Flags.boolean({ summary: "Answer every request 503, as in an outage.", helpGroup: "FAULTS" }),
    "max-body-bytes": Flags.integer({ summary: "Request body limit in bytes (default 512000, Segment's 500 KB).", helpGroup: "LIMITS" }),
    "max-message-bytes": Flags.integer({ summary: "Message limit in bytes (default 32768, Segment's 32 KB).", helpGroup: "LIMITS" }),
    "max-batch-count": Flags.integer({
      summary: "Messages per batch; over it the batch is dropped, as Segment does (default 2500).",
      helpGroup: "LIMITS"
    }),
    "track-message-ids": Flags.boolean({
      summary: "Remember messageIds to count duplicates (about 100 bytes per id).",
      default: true,
      allowNo: true
    }),
    seed: Flags.integer({ summary: "Seed of the fault draws (same seed, same faults).", helpGroup: "FAULTS" }),
    json: Flags.boolean({ summary: "Print the final counts as JSON." })
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(SinkCommand)
    const options = sinkOptionsOf(flags)
    if (flags.out !== undefined) await checkOutput({ flag: "--out", path: flags.out, mode: "stream" })
    const sink = await startSink(options).catch((error: unknown) => {
      const code = (error as NodeJS.ErrnoException).code
      if (code !== "EADDRINUSE" && code !== "EACCES" && code !== "EADDRNOTAVAIL") throw error
      return this.fail({
        code: ExitCode.usage,
        message: `--host ${flags.host} --port ${flags.port}: cannot listen there: ${describeFsError(error)}; choose another --port (0 picks a free one)`
      })
    })
    // Listening for the stop before saying where it listens: a supervisor may stop it as soon as it reads that line.
    const stopped = new Promise<void>((resolve) => {
      process.once("SIGINT", () => resolve())
      process.once("SIGTERM", () => resolve())
    })
    this.logToStderr(
      `tablecast sink: listening on ${sink.url} (POST ${sink.url}/v1/batch, GET ${sink.url}/stats)${flags.out === undefined ? "" : `, writing ${flags.out}`}`
    )
    await stopped
    await sink.close()
    const stats = sink.stats()
    this.log(flags.json ? JSON.stringify(stats, null, 2) : formatSinkStats(stats))
  }
}
