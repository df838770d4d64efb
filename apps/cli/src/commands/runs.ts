import { Flags } from "@oclif/core"
import { BaseCommand } from "../BaseCommand.ts"
import { historyLocationFlags } from "../HistoryLocation.ts"

export default class RunsCommand extends BaseCommand {
  static override summary = "List the runs recorded by sync and plan, the newest first."

  static override description =
    `Every \`tablecast sync\` and \`tablecast plan\` records its run in the run history (runs.jsonl in the state folder; an incremental sync's runs in its SQLite or Postgres state store): when it ran, how it ended and its exit code, its counts, requests, retries, 429s, bytes and peak memory. No row value and no secret is ever in it. \`tablecast runs show <id>\` shows one run in full.

Exit codes (docs/exit-codes.md): 0 listed (none recorded is not an error); 1 internal error; 2 bad flags; 9 the history cannot be read.`

  static override examples = [
    { description: "The last 20 runs", command: "<%= config.bin %> <%= command.id %>" },
    {
      description: "Runs of one sync that did not complete, this week",
      command: "<%= config.bin %> <%= command.id %> --sync churn-scores --outcome incomplete --since 7d"
    },
    { description: "As JSON, for a dashboard or a script", command: "<%= config.bin %> <%= command.id %> --since 2026-12-01 --json" }
  ]

  static override flags = {
    ...historyLocationFlags,
    sync: Flags.string({ summary: "Only the runs of this sync.", helpGroup: "FILTER" }),
    outcome: Flags.string({ summary: "Only the runs with this outcome.", options: ["completed", "incomplete", "aborted"], helpGroup: "FILTER" }),
    since: Flags.string({
      summary: "Only the runs started at or after this: a date, a date and time, or a time ago (7d, 12h).",
      helpGroup: "FILTER"
    }),
    until: Flags.string({ summary: "Only the runs started before this: a date, a date and time, or a time ago.", helpGroup: "FILTER" }),
    limit: Flags.integer({ summary: "At most this many runs (default 20; 0 for all).", min: 0, default: 20, helpGroup: "FILTER" }),
    json: Flags.boolean({ summary: 'Print the runs as JSON on stdout: {"runs": [...]}.', helpGroup: "OUTPUT" })
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(RunsCommand)
    // Loaded by this command only: a sync never loads the listing.
    const { runsListing } = await import("../RunsListing.ts")
    const { historySourcesOf } = await import("../HistorySources.ts")
    const output = await runsListing(await historySourcesOf(flags), { ...flags, limit: flags.limit === 0 ? undefined : flags.limit }, new Date())
    if ("failure" in output) return this.fail(output.failure)
    this.log(output.text)
  }
}
