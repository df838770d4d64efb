import { ConfigError } from "@tablecast/config"
import { fatalOfRecord } from "@tablecast/core"
import { incrementalOf } from "@tablecast/incremental"
import { Args, Flags } from "@oclif/core"
import { BaseCommand } from "../BaseCommand.ts"
import { ExitCode, planExitCodeOfFatal } from "../ExitCode.ts"
import { planText } from "../PlanText.ts"
import { syncTitle } from "../SyncTitle.ts"
import { progressDisplay } from "../ProgressDisplay.ts"
import { defaultStateDir } from "../HistoryLocation.ts"
import { runProfilerFor } from "../RunProfiling.ts"
import type { RecordedRun } from "../RunRecording.ts"
import { runIncrementalSync } from "../RunSync.ts"
import { deliveryFlags, deliveryOverrides, incrementalFlags, incrementalOverrides, mappingFlags, mappingOverrides } from "../SyncFlags.ts"
import { terminalJson, terminalText } from "../TerminalText.ts"
import { trackingPlanOverrides } from "../TrackingPlanContract.ts"
import { trackingPlanLines } from "../TrackingPlanText.ts"

export default class PlanCommand extends BaseCommand {
  static override summary = "Show what an incremental sync would send, before anything is sent."

  static override description =
    `Reads the source and compares every row with the sync's snapshot (what Segment acknowledged in earlier runs): counts of added, changed, unchanged and removed rows, the API calls and bytes the run would send and how long sending takes at the request rate (--max-rps; and at Engage's 1,000 events/s), the users it would touch and create (an estimate of monthly tracked users), the guard's verdict, and a sample of changed rows with their values before and after. Sends nothing and leaves the snapshot as it is.

Exit codes (docs/exit-codes.md): 0 the plan passes the guard; 1 internal error; 2 bad flags or config, or the sync is not incremental; 6 source failed; 8 the changes are over the guard (a sync would stop); 9 the state store failed; 10 the books did not balance; 11 the --report-html file cannot be written. With --json, a failure is a JSON object on stdout too.`

  static override examples = [
    {
      description: "What would today's churn scores send, keyed by customer?",
      command: '<%= config.bin %> <%= command.id %> -f scores.csv -e "Churn Scored" -u customer_id --key customer_id --tolerance churn_score=0.01'
    },
    { description: "A named incremental sync of the config file, as JSON", command: "<%= config.bin %> <%= command.id %> churn-scores --json" }
  ]

  static override args = {
    sync: Args.string({ description: "Name of a sync in the config file.", required: false })
  }

  static override flags = {
    ...mappingFlags,
    ...incrementalFlags,
    "batch-profile": deliveryFlags["batch-profile"],
    "batch-count": deliveryFlags["batch-count"],
    "batch-bytes": deliveryFlags["batch-bytes"],
    "max-rps": deliveryFlags["max-rps"],
    "max-rejects": deliveryFlags["max-rejects"],
    "tracking-plan": deliveryFlags["tracking-plan"],
    "tracking-plan-mode": deliveryFlags["tracking-plan-mode"],
    sample: Flags.integer({
      summary: "Changed rows to show with their values before and after (default 10).",
      min: 0,
      default: 10,
      helpGroup: "OUTPUT"
    }),
    history: Flags.boolean({
      summary: 'Record the plan in the run history, in .tablecast/state (default on; or "history" in the config); see `tablecast runs`.',
      allowNo: true,
      helpGroup: "OUTPUT"
    }),
    json: Flags.boolean({ summary: "Print the plan as JSON on stdout.", helpGroup: "OUTPUT" }),
    "report-html": Flags.string({
      summary: "Also write the plan's report as one HTML file that opens from disk: its counts and rejects beside the previous run of this sync.",
      helpGroup: "OUTPUT"
    })
  }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(PlanCommand)
    const incremental = incrementalOverrides(flags)
    const delivery = deliveryOverrides(flags)
    const sync = await this.resolve({
      syncName: args.sync,
      configFile: flags.config,
      overrides: {
        ...mappingOverrides(flags),
        destination: {},
        pipeline: delivery.pipeline,
        ...trackingPlanOverrides(delivery),
        ...(incremental.key === undefined ? {} : { key: incremental.key }),
        ...(incremental.incrementalPatch === undefined ? {} : { incrementalPatch: incremental.incrementalPatch }),
        ...(incremental.state === undefined ? {} : { state: incremental.state })
      },
      needsWriteKey: false
    })
    if (incrementalOf(sync.spec) === undefined) {
      throw new ConfigError({
        message: "tablecast plan compares a sync with its snapshot: the sync is not incremental; give --key <columns> (or a key in the config)"
      })
    }
    const profiler = await runProfilerFor(flags["report-html"] === undefined ? flags.history : true)
    const { report, plan } = await runIncrementalSync(sync, progressDisplay("none"), {
      full: incremental.full,
      force: incremental.force,
      planOnly: true,
      sampleSize: flags.sample,
      diffInDatabase: incremental.diffInDatabase,
      observer: profiler?.observer
    })
    const failed = plan === undefined || (report.fatal !== undefined && report.fatal.kind !== "guard")
    const tripped = plan !== undefined && plan.guard.tripped !== undefined && !plan.guard.forced
    const code = failed
      ? planExitCodeOfFatal(report.fatal === undefined ? undefined : fatalOfRecord(report.fatal))
      : tripped
        ? ExitCode.guardTripped
        : ExitCode.ok
    const { recordCliRun } = await import("../RunRecording.ts")
    const recorded = await recordCliRun({
      flag: flags.history,
      configFile: flags.config,
      syncName: args.sync,
      stateDir: defaultStateDir(sync.baseDir),
      run: { sync, report, kind: "plan", exitCode: code, plan, profile: profiler?.profileOf(report, plan) }
    })
    if (recorded.warning !== undefined) this.logToStderr(`tablecast: warning: ${terminalText(recorded.warning)}`)
    const htmlProblem = await this.writeReportHtml(flags["report-html"], recorded)
    // A report that cannot be written fails a plan that passed (11); a plan that failed keeps its own code.
    if (htmlProblem !== undefined && code === ExitCode.ok) return this.fail({ code: ExitCode.outputFailed, message: htmlProblem })
    if (htmlProblem !== undefined) this.logToStderr(`tablecast: ${terminalText(htmlProblem)}`)
    // The tracking plan's violations show whatever the plan's verdict: they may be why it failed.
    const contract = report.trackingPlan
    const shown = plan === undefined || contract === undefined ? plan : { ...plan, trackingPlan: contract }
    if (!flags.json && contract !== undefined && (failed || plan === undefined)) {
      for (const line of trackingPlanLines(contract, "")) this.logToStderr(terminalText(line))
    }
    if (failed || plan === undefined) return this.fail({ code, message: report.fatal?.message ?? "the plan could not be made" }, shown)
    if (flags.json && tripped)
      this.fail({ code: ExitCode.guardTripped, message: report.fatal?.message ?? "the changes are over the guard" }, shown)
    const text = planText(plan, `tablecast plan ${syncTitle(sync.spec)}`, sync.pipeline.maxRps)
    const contractText = contract === undefined ? "" : `\n${trackingPlanLines(contract).map(terminalText).join("\n")}`
    this.log(flags.json ? terminalJson(JSON.stringify(shown, null, 2)) : `${text}${contractText}`)
    if (tripped) this.exit(ExitCode.guardTripped)
  }

  /** Writes the HTML report when asked; gives the problem if it could not be written. */
  private async writeReportHtml(file: string | undefined, recorded: RecordedRun): Promise<string | undefined> {
    if (file === undefined) return undefined
    const { writeRunReportHtml } = await import("../RunReportHtml.ts")
    const written = await writeRunReportHtml({ file, flag: "--report-html", run: recorded.record, history: recorded.history })
    if (written.warning !== undefined) this.logToStderr(`tablecast: warning: ${terminalText(written.warning)}`)
    return written.problem
  }
}
