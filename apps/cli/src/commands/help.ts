import { Args, loadHelpClass } from "@oclif/core"
import { BaseCommand } from "../BaseCommand.ts"

/**
 * `tablecast help [command]`: the same help as `tablecast <command> --help`, as users of git,
 * npm and heroku expect. oclif's help plugin would add this and more dependencies; the help
 * class it uses is already in @oclif/core.
 */
export default class HelpCommand extends BaseCommand {
  static override summary = "Show help for tablecast, or for one of its commands."

  static override description = "Exit codes (docs/exit-codes.md): 0 help shown; 2 no such command."

  static override examples = [{ description: "Help for sync", command: "<%= config.bin %> help sync" }]

  static override strict = false

  static override args = { command: Args.string({ description: "The command to show help for, e.g. sync." }) }

  async run(): Promise<void> {
    const { argv } = await this.parse(HelpCommand)
    const Help = await loadHelpClass(this.config)
    await new Help(this.config).showHelp(argv as Array<string>)
  }
}
