import { Args, Flags } from "@oclif/core"
import { BaseCommand } from "../BaseCommand.ts"
import { historyLocationFlags } from "../HistoryLocation.ts"

export default class RunsShowCommand extends BaseCommand {
  static override summary = "Show one recorded run in full."

  static override description =
    `Shows a run of the run history by its id (as \`tablecast runs\` lists it): its source, times, outcome and exit code, its rows by what became of them, rejects by reason, requests, retries, 429s, bytes, throughput, peak memory, the settings that shaped it and an incremental run's plan counts.

With --html <file>, also writes the run's report as one HTML file that opens from disk: its summary, timeline, rejects, and each property's distribution against the run of the same sync before it.

Exit codes (docs/exit-codes.md): 0 shown; 1 internal error; 2 bad flags, or no run has this id; 9 the history cannot be read; 11 the --html file cannot be written.`

  static override examples = [
    { description: "One run in full", command: "<%= config.bin %> <%= command.id %> 20261207T160208123Z-1a2b3c" },
    { description: "As JSON", command: "<%= config.bin %> <%= command.id %> 20261207T160208123Z-1a2b3c --json" },
    {
      description: "Its report as an HTML file, against the run before it",
      command: "<%= config.bin %> <%= command.id %> 20261207T160208123Z-1a2b3c --html run-report.html"
    }
  ]

  static override args = {
    id: Args.string({ description: "The run's id, as `tablecast runs` lists it.", required: true })
  }

  static override flags = {
    ...historyLocationFlags,
    json: Flags.boolean({ summary: "Print the run as JSON on stdout.", helpGroup: "OUTPUT" }),
    html: Flags.string({
      summary: "Write the run's report as one HTML file that opens from disk, compared with the run of the same sync before it.",
      helpGroup: "OUTPUT"
    })
  }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(RunsShowCommand)
    const { runShowing } = await import("../RunsListing.ts")
    const { historySourcesOf } = await import("../HistorySources.ts")
    const sources = await historySourcesOf(flags)
    const output = await runShowing(sources, args.id, flags.json)
    if ("failure" in output) return this.fail(output.failure)
    if (flags.html !== undefined) {
      // The run as just read, and the source that holds it: the report reads only its previous run.
      const { writeRunReportHtml, reportFailureOf } = await import("../RunReportHtml.ts")
      const failure = reportFailureOf(await writeRunReportHtml({ file: flags.html, flag: "--html", run: output.run, history: output.source }))
      if (failure !== undefined) return this.fail(failure)
    }
    this.log(output.text)
  }
}
