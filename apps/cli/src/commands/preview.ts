import { Args, Flags } from "@oclif/core"
import { BaseCommand } from "../BaseCommand.ts"
import { ExitCode } from "../ExitCode.ts"
import { runPreview, StartError } from "../RunSync.ts"
import { mappingFlags, mappingOverrides } from "../SyncFlags.ts"

export default class PreviewCommand extends BaseCommand {
  static override summary = "Print the first messages of a sync exactly as they would be sent."

  static override description =
    "Maps the first rows of the source with the same rules as `tablecast sync` and prints the resulting messages, one JSON object per line, without sending anything and without reading past them. Rows that would be rejected are listed on stderr with their reasons."

  static override examples = [
    '<%= config.bin %> <%= command.id %> --file scores.csv --event "Sales Prediction" --customer-id customer_id',
    "<%= config.bin %> <%= command.id %> churn-scores --limit 3"
  ]

  static override args = {
    sync: Args.string({ description: "Name of a sync in the config file.", required: false })
  }

  static override flags = {
    ...mappingFlags,
    limit: Flags.integer({ char: "n", summary: "How many messages to print.", default: 5, min: 1, max: 10_000 })
  }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(PreviewCommand)
    const sync = await this.resolve({
      syncName: args.sync,
      configFile: flags.config,
      overrides: { ...mappingOverrides(flags), destination: {}, pipeline: {} },
      needsWriteKey: false
    })
    let result
    try {
      result = await runPreview(sync, flags.limit)
    } catch (error) {
      if (error instanceof StartError) {
        process.stderr.write(`tablecast: ${error.message}\n`)
        return this.exit(ExitCode.sourceFailed)
      }
      throw error
    }
    for (const message of result.messages) process.stdout.write(`${message}\n`)
    if (result.rowsRepeated > 0) {
      process.stderr.write(
        `${result.rowsRepeated} of the ${result.rowsRead} rows previewed repeat an earlier row: each is sent as a message of its own (its messageId counts the occurrence)\n`
      )
    }
    for (const reject of result.rejects) process.stderr.write(`row ${reject.row}${reject.line === undefined ? "" : ` (line ${reject.line})`} would be rejected: ${reject.reason}\n`)
  }
}
