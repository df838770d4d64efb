import { Args, Flags } from "@oclif/core"
import { BaseCommand } from "../BaseCommand.ts"
import { historyLocationFlags } from "../HistoryLocation.ts"

export default class RunsShowCommand extends BaseCommand {
  static override summary = "Show one recorded run in full."

  static override description =
    `Shows a run of the run history by its id (as \`tablecast runs\` lists it): its source, times, outcome and exit code, its rows by what became of them, rejects by reason, requests, retries, 429s, bytes, throughput, peak memory, the settings that shaped it and an incremental run's plan counts.

Exit codes (docs/exit-codes.md): 0 shown; 1 internal error; 2 bad flags, or no run has this id; 9 the history cannot be read.`

  static override examples = [
    { description: "One run in full", command: "<%= config.bin %> <%= command.id %> 20261207T160208123Z-1a2b3c" },
    { description: "As JSON", command: "<%= config.bin %> <%= command.id %> 20261207T160208123Z-1a2b3c --json" }
  ]

  static override args = {
    id: Args.string({ description: "The run's id, as `tablecast runs` lists it.", required: true })
  }

  static override flags = {
    ...historyLocationFlags,
    json: Flags.boolean({ summary: "Print the run as JSON on stdout.", helpGroup: "OUTPUT" })
  }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(RunsShowCommand)
    const { runShowing } = await import("../RunsListing.ts")
    const { historySourcesOf } = await import("../HistorySources.ts")
    const output = await runShowing(await historySourcesOf(flags), args.id, flags.json)
    if ("failure" in output) return this.fail(output.failure)
    this.log(output.text)
  }
}
