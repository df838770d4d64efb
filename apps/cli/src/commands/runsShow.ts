import { Args, Flags } from "@oclif/core"
import { describeFsError, runHistoryFile } from "@tablecast/state-file"
import { BaseCommand } from "../BaseCommand.ts"
import { ExitCode } from "../ExitCode.ts"
import { runText } from "../RunsText.ts"
import { terminalJson } from "../TerminalText.ts"
import { historyFileOf, historyLocationFlags } from "./runs.ts"

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
    const file = historyFileOf(flags)
    let run: Awaited<ReturnType<ReturnType<typeof runHistoryFile>["get"]>>
    try {
      run = await runHistoryFile(file).get(args.id)
    } catch (error) {
      return this.fail({ code: ExitCode.stateFailed, message: `the run history ${file} cannot be read: ${describeFsError(error)}` })
    }
    if (run === undefined) {
      return this.fail({
        code: ExitCode.usage,
        message: `no run ${JSON.stringify(args.id)} in the run history ${file}: \`tablecast runs\` lists the ids`
      })
    }
    this.log(flags.json ? terminalJson(JSON.stringify(run, null, 2)) : runText(run))
  }
}
