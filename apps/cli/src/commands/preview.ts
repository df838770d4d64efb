import { Args, Flags } from "@oclif/core"
import { BaseCommand } from "../BaseCommand.ts"
import { ExitCode } from "../ExitCode.ts"
import { previewJson, previewText, rejectsLine } from "../PreviewText.ts"
import { terminalJson } from "../TerminalText.ts"
import { runPreview } from "../RunSync.ts"
import { trackingPlanOverrides } from "../TrackingPlanContract.ts"
import { deliveryFlags, deliveryOverrides, mappingFlags, mappingOverrides } from "../SyncFlags.ts"

export default class PreviewCommand extends BaseCommand {
  static override summary = "Print the first messages of a sync exactly as they would be sent."

  static override description =
    "Maps the first rows of the source with the same rules as `tablecast sync` and prints the resulting messages, one JSON object per line, without sending anything and without reading past them. On stderr: the type each column is sent as and what decided it (declared, the warehouse's type, or a file's first 1,000 rows), and the rows that would be rejected, with their reasons.\n\nExit codes (docs/exit-codes.md): 0 every previewed row maps; 1 internal error; 2 bad flags or config; 3 some previewed rows would be rejected (as sync --dry-run); 6 the source failed. With --json, a failure is a JSON object on stdout too."

  static override examples = [
    '<%= config.bin %> <%= command.id %> --file scores.csv --event "Sales Prediction" --customer-id customer_id',
    "<%= config.bin %> <%= command.id %> churn-scores --limit 3"
  ]

  static override args = {
    sync: Args.string({ description: "Name of a sync in the config file.", required: false })
  }

  static override flags = {
    ...mappingFlags,
    "tracking-plan": deliveryFlags["tracking-plan"],
    "tracking-plan-mode": deliveryFlags["tracking-plan-mode"],
    limit: Flags.integer({ char: "n", summary: "How many messages to print.", default: 5, min: 1, max: 10_000 }),
    json: Flags.boolean({
      summary: "Print one JSON object instead: the messages, the column types, the rows that would be rejected."
    })
  }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(PreviewCommand)
    const sync = await this.resolve({
      syncName: args.sync,
      configFile: flags.config,
      overrides: { ...mappingOverrides(flags), destination: {}, pipeline: {}, ...trackingPlanOverrides(deliveryOverrides(flags)) },
      needsWriteKey: false
    })
    const result = await runPreview(sync, flags.limit)
    if (flags.json) {
      const json = previewJson(result)
      if (result.rejects.length > 0) this.fail({ code: ExitCode.rowsRejected, message: rejectsLine(result) }, json)
      this.log(terminalJson(JSON.stringify(json, null, 2)))
      return
    }
    const text = previewText(result)
    for (const line of text.stderr) this.logToStderr(line)
    for (const line of text.stdout) this.log(line)
    // As `sync --dry-run` says of the same rows.
    if (result.rejects.length > 0) this.exit(ExitCode.rowsRejected)
  }
}
