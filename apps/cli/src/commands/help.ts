import { Args, Flags, loadHelpClass, toConfiguredId, toStandardizedId } from "@oclif/core"
import { BaseCommand } from "../BaseCommand.ts"
import { commandNotFoundMessage } from "../CommandNotFound.ts"
import { ExitCode } from "../ExitCode.ts"
import { commandJson } from "../HelpJson.ts"
import { terminalJson } from "../TerminalText.ts"

/**
 * `tablecast help [command]`: the same help as `tablecast <command> --help`, as users of git,
 * npm and heroku expect. oclif's help plugin would add this and more dependencies; the help
 * class it uses is already in @oclif/core.
 */
export default class HelpCommand extends BaseCommand {
  static override summary = "Show help for tablecast, or for one of its commands."

  static override description = "Exit codes (docs/exit-codes.md): 0 help shown; 2 no such command."

  static override examples = [
    { description: "Help for sync", command: "<%= config.bin %> help sync" },
    { description: "sync's flags, as JSON", command: "<%= config.bin %> help sync --json" }
  ]

  static override strict = false

  static override args = { command: Args.string({ description: "The command to show help for, e.g. sync." }) }

  static override flags = {
    json: Flags.boolean({ summary: "Print the command's flags, arguments and examples as JSON (every command's, without one)." })
  }

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(HelpCommand)
    const words = (argv as Array<string>).filter((word) => !word.startsWith("-"))
    const visible = this.config.commands.filter((command) => !command.hidden)
    const command = words.length === 0 ? undefined : this.config.findCommand(toStandardizedId(words.join(" "), this.config))
    if (words.length > 0 && command === undefined) {
      const ids = visible.map((one) => toConfiguredId(one.id, this.config))
      this.fail({
        code: ExitCode.usage,
        message: commandNotFoundMessage(words.join(" "), this.config.bin, ids),
        hint: `See '${this.config.bin} help'.`
      })
    }
    if (flags.json) {
      const json =
        command === undefined ? { commands: visible.map((one) => commandJson(one, this.config.bin)) } : commandJson(command, this.config.bin)
      this.log(terminalJson(JSON.stringify(json, null, 2)))
      return
    }
    const Help = await loadHelpClass(this.config)
    await new Help(this.config).showHelp(argv as Array<string>)
  }
}
