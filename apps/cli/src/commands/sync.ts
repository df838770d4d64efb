import path from "node:path"
import { Args, Flags, type Interfaces } from "@oclif/core"
import { BaseCommand } from "../BaseCommand.ts"
import { ExitCode } from "../ExitCode.ts"
import { applyLowMemory } from "../LowMemory.ts"
import { progressDisplay, type ProgressMode } from "../ProgressDisplay.ts"
import { incrementalOf } from "@tablecast/incremental"
import { syncNamespace } from "@tablecast/core"
import { exitCodeOfError, isCliError } from "../ExitCode.ts"
import { notifyFlags, notifyOverrides } from "../NotifyFlags.ts"
import { alertRun, alertStartFailure } from "../RunAlerts.ts"
import { runProfilerFor } from "../RunProfiling.ts"
import type { RecordedRun } from "../RunRecording.ts"
import { checkpointPath, deliverSync } from "../RunSync.ts"
import { preflightOutputs } from "../OutputFiles.ts"
import { secretFlagWarnings, syncOutputLocations } from "../SyncOutputs.ts"
import { syncTitle } from "../SyncTitle.ts"
import { syncResultText, writeReportFile } from "../SyncResult.ts"
import { defaultStateDir } from "../HistoryLocation.ts"
import { stopNotice, stopSignals } from "../StopSignals.ts"
import { terminalText } from "../TerminalText.ts"
import { deliveryFlags, deliveryOverrides, incrementalFlags, incrementalOverrides, mappingFlags, mappingOverrides } from "../SyncFlags.ts"

export default class SyncCommand extends BaseCommand {
  static override summary = "Send the rows of a table to Segment as track, identify or group calls."

  static override description =
    `Reads the source row by row, maps each row to a Segment message, and sends them in batches bounded by count, bytes and time, with backpressure and retries. Every row is accounted for in the delivery report: accepted, or rejected with its row number and reason.

The write key comes from SEGMENT_WRITE_KEY (or --write-key); it is never printed. A sync can come from flags, from a named entry of a config file, or both (flags win).

A checkpoint of acknowledged rows is kept (in .tablecast/state): after a crash or a stop, the same command resumes where Segment's acknowledgements ended; re-sent rows carry the same messageIds, so Segment deduplicates them. Ctrl-C (or SIGTERM) stops reading and flushes what is in flight; a second one stops at once.

An incremental sync (--key, or "key"/"incremental" in the config) sends only the rows added, changed or removed since the last run: a snapshot of what Segment acknowledged is kept per sync (in .tablecast/state.db, or Postgres with --state-postgres), and advances only for acknowledged rows. See \`tablecast plan\` to see the changes first.

Exit codes (docs/exit-codes.md): 0 all delivered; 1 internal error; 2 bad flags or config; 3 some rows rejected, the rest delivered (or --max-rejects reached); 4 some batches refused, or the endpoint unreachable within the retry budget; 5 write key refused; 6 source failed; 7 the source changed since an interrupted run (use --restart); 8 an incremental run's changes are over the guard, nothing sent (use --force); 9 the state store failed; 10 the books did not balance; 11 an output (report, rejects, checkpoint, state folder) could not be written; 130 stopped by a signal. A failing run says why on stderr, in one line.

Outputs are checked before anything is read or sent: missing folders are created, and a path that is a symbolic link is refused (tablecast never writes through one).`

  static override examples = [
    {
      description: "Send model scores as track calls",
      command:
        '<%= config.bin %> <%= command.id %> --file scores.csv --event "Sales Prediction" --customer-id customer_id --timestamp predicted_at'
    },
    {
      description: "Send traits as identify calls, only some columns, to the EU region",
      command: "<%= config.bin %> <%= command.id %> -f rfm.csv --type identify -u user_id -p recency,frequency,monetary,rfm_segment --region eu"
    },
    {
      description: "Send account scores as group calls (traits of each account, tied to a member), with an identify per row",
      command:
        "<%= config.bin %> <%= command.id %> -f accounts.csv --type identify,group -u owner_id --group-id account_id --traits name,industry,churn_risk"
    },
    {
      description: "Try it against a local receiver first (start it with `tablecast sink`)",
      command: '<%= config.bin %> <%= command.id %> -f scores.csv -e "Churn Prediction" -u id --endpoint http://127.0.0.1:14318 --write-key test'
    },
    {
      description: "Run a named sync from tablecast.config.json, keeping rejects",
      command: "<%= config.bin %> <%= command.id %> churn-scores --rejects rejects.jsonl"
    },
    {
      description: "Send only what changed since the last run, keyed by customer; score moves under 0.01 do not count",
      command: '<%= config.bin %> <%= command.id %> -f scores.csv -e "Churn Scored" -u customer_id --key customer_id --tolerance churn_score=0.01'
    },
    {
      description: "Also write the run's HTML report: timeline, rejects, and how each score moved since the previous run",
      command: "<%= config.bin %> <%= command.id %> churn-scores --report-html reports/churn-scores.html"
    },
    {
      description: "Check everything, send nothing",
      command: '<%= config.bin %> <%= command.id %> -f scores.csv -e "Sales Prediction" -u customer_id --dry-run'
    }
  ]

  static override args = {
    sync: Args.string({ description: "Name of a sync in the config file.", required: false })
  }

  static override flags = {
    ...mappingFlags,
    ...deliveryFlags,
    ...incrementalFlags,
    ...notifyFlags,
    "dry-run": Flags.boolean({ summary: "Map and validate every row, send nothing.", helpGroup: "OUTPUT" }),
    "low-memory": Flags.boolean({
      summary:
        "Memory before speed: one thread (no CSV worker) and a smaller heap, about 120–130 MiB at the peak whatever the table's size (145–160 MiB without), at about 0.8 times the speed.",
      helpGroup: "SOURCE"
    }),
    restart: Flags.boolean({ summary: "Ignore the checkpoint of an interrupted run; send from the first row.", helpGroup: "RESUME" }),
    checkpoint: Flags.boolean({
      summary: "Keep a checkpoint of acknowledged rows, so a run after a crash resumes (default on).",
      default: true,
      allowNo: true,
      helpGroup: "RESUME"
    }),
    "state-dir": Flags.string({
      summary: "Folder for checkpoints (default: .tablecast/state beside the config file, or in the current folder).",
      helpGroup: "RESUME"
    }),
    history: Flags.boolean({
      summary: 'Record the run in the run history, runs.jsonl in the state folder (default on; or "history" in the config); see `tablecast runs`.',
      allowNo: true,
      helpGroup: "OUTPUT"
    }),
    json: Flags.boolean({ summary: "Print the delivery report as JSON on stdout.", helpGroup: "OUTPUT" }),
    report: Flags.string({ summary: "Also write the delivery report as JSON to this file.", helpGroup: "OUTPUT" }),
    "report-html": Flags.string({
      summary:
        "Also write the run's report as one HTML file that opens from disk: timeline, rejects, and each property's distribution against the previous run of this sync.",
      helpGroup: "OUTPUT"
    }),
    progress: Flags.string({
      summary: "Progress display: auto (a bar on a terminal, lines otherwise), bar, lines, none.",
      options: ["auto", "bar", "lines", "none"],
      default: "auto",
      helpGroup: "OUTPUT"
    })
  }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(SyncCommand)
    const incremental = incrementalOverrides(flags)
    const resolved = await this.resolve({
      syncName: args.sync,
      configFile: flags.config,
      overrides: {
        ...mappingOverrides(flags),
        ...deliveryOverrides(flags),
        ...(incremental.key === undefined ? {} : { key: incremental.key }),
        ...(incremental.incrementalPatch === undefined ? {} : { incrementalPatch: incremental.incrementalPatch }),
        ...(incremental.state === undefined ? {} : { state: incremental.state }),
        notify: notifyOverrides(flags)
      },
      needsWriteKey: !flags["dry-run"]
    })
    const sync = flags["low-memory"] ? await applyLowMemory(resolved, flags.worker) : resolved
    const isIncremental = incrementalOf(sync.spec) !== undefined
    if (!isIncremental && (incremental.full || incremental.force || incremental.incrementalPatch !== undefined)) {
      this.warn("--full, --force, --mode, --tolerance and the guard apply to an incremental sync: give --key (or a key in the config)")
    }
    for (const warning of await secretFlagWarnings(flags)) this.logToStderr(`tablecast: warning: ${warning}`)
    const stateDir = flags.checkpoint ? path.resolve(flags["state-dir"] ?? path.join(sync.baseDir, ".tablecast", "state")) : undefined
    const dryRun = flags["dry-run"] || sync.pipeline.dryRun
    try {
      await this.deliver(sync, flags, { isIncremental, stateDir, dryRun, incremental, syncName: args.sync })
    } catch (error) {
      // A run that could not start (its source, a driver, an output) alerts as a failure, then stops as it would.
      if (isCliError(error)) {
        const exitCode = exitCodeOfError(error)
        const warning = await alertStartFailure(sync.notify, { sync: syncNamespace(sync.spec), exitCode, message: error.message })
        if (warning !== undefined) this.logToStderr(`tablecast: warning: ${warning}`)
      }
      throw error
    }
  }

  /** Checks the outputs, runs the sync, prints its result, alerts, and exits with its code. */
  private async deliver(
    sync: Awaited<ReturnType<typeof applyLowMemory>>,
    flags: Interfaces.InferredFlags<typeof SyncCommand.flags>,
    run: {
      readonly isIncremental: boolean
      readonly stateDir: string | undefined
      readonly dryRun: boolean
      readonly incremental: ReturnType<typeof incrementalOverrides>
      /** The config file's sync this run is, when one was named. */
      readonly syncName: string | undefined
    }
  ): Promise<void> {
    const { isIncremental, stateDir, dryRun, incremental, syncName } = run
    // Preflight: every file the run will write is checked (its folder created) before anything is
    // read or sent; a symbolic link where one goes is refused.
    await preflightOutputs(
      syncOutputLocations({
        sync,
        report: flags.report,
        reportHtml: flags["report-html"],
        checkpoint: isIncremental || stateDir === undefined || dryRun ? undefined : checkpointPath(sync, stateDir, JSON.stringify(sync.source)),
        incremental: isIncremental,
        stateFlag: flags["state-db"] === undefined ? undefined : "--state-db",
        rejectsFlag: flags.rejects !== undefined
      })
    )
    const progress = progressDisplay(flags.json && flags.progress === "auto" ? "none" : (flags.progress as ProgressMode))
    const signals = stopSignals((signal, count) => this.logToStderr(stopNotice(signal, count)))
    const profiler = await runProfilerFor(flags["report-html"] === undefined ? flags.history : true)
    const result = await deliverSync(sync, progress, {
      incremental: isIncremental,
      dryRun: flags["dry-run"],
      restart: flags.restart,
      stateDir,
      full: incremental.full,
      force: incremental.force,
      diffInDatabase: incremental.diffInDatabase,
      stop: signals.requests,
      observer: profiler?.observer
    }).finally(() => signals.dispose())
    const reported = await writeReportFile(flags.report, result.report)
    // Loaded at the end, not at the start: a run loads nothing for its history until it records.
    const { recordCliRun } = await import("../RunRecording.ts")
    const recorded = await recordCliRun({
      flag: flags.history,
      configFile: flags.config,
      syncName,
      stateDir: path.resolve(flags["state-dir"] ?? defaultStateDir(sync.baseDir)),
      run: {
        sync,
        report: result.report,
        kind: isIncremental ? "incremental" : "sync",
        exitCode: reported.code,
        plan: result.plan,
        settings: { lowMemory: flags["low-memory"] || undefined, restart: flags.restart || undefined },
        profile: profiler?.profileOf(result.report, result.plan)
      }
    })
    if (recorded.warning !== undefined) this.logToStderr(`tablecast: warning: ${terminalText(recorded.warning)}`)
    const exit = await this.writeReportHtml(flags["report-html"], recorded, reported)
    const text = syncResultText(result, {
      json: flags.json,
      rejects: sync.rejects,
      maxRps: sync.pipeline.maxRps,
      exit,
      title: syncTitle(sync.spec)
    })
    for (const line of text.stdout) this.log(line)
    for (const line of text.stderr) this.logToStderr(line)
    if (exit.problem !== undefined) this.logToStderr(`tablecast: ${terminalText(exit.problem)}`)
    // At the end, within a bounded time: an alert that does not go through is a warning, never the run's failure.
    const warning = await alertRun(sync.notify, result.report, exit.code)
    if (warning !== undefined) this.logToStderr(`tablecast: warning: ${warning}`)
    if (exit.code !== ExitCode.ok) this.exit(exit.code)
  }

  /** Writes the HTML report when asked: one that cannot be written turns a delivered run's exit code into 11, as --report does. */
  private async writeReportHtml(
    file: string | undefined,
    recorded: RecordedRun,
    exit: Awaited<ReturnType<typeof writeReportFile>>
  ): Promise<Awaited<ReturnType<typeof writeReportFile>>> {
    if (file === undefined) return exit
    const { writeRunReportHtml, reportHtmlExit } = await import("../RunReportHtml.ts")
    const written = await writeRunReportHtml({ file, flag: "--report-html", run: recorded.record, history: recorded.history })
    if (written.warning !== undefined) this.logToStderr(`tablecast: warning: ${terminalText(written.warning)}`)
    return reportHtmlExit(exit, written.problem)
  }
}
