import { type Hook, toConfiguredId } from "@oclif/core"
import { ExitCode } from "./ExitCode.ts"
import { failureJson, wantsJson } from "./JsonFailure.ts"
import { terminalText } from "./TerminalText.ts"
import { closestName, helpHint } from "./UsageError.ts"

/** What a mistyped command is told: the closest command, if one is close, and where the list is. */
export const commandNotFoundMessage = (typed: string, bin: string, commandIds: ReadonlyArray<string>): string => {
  const suggestion = closestName(typed, commandIds)
  return `${typed} is not a ${bin} command${suggestion === undefined ? "" : `; did you mean ${suggestion}?`}`
}

/**
 * oclif's `command_not_found` hook (package.json "oclif.hooks"): "did you mean" for a mistyped
 * command, exit 2 as for any other usage error. Never a prompt (oclif's not-found plugin asks
 * whether to run the suggestion, and in a script prints no suggestion and exits 127): a
 * suggested `sync` is not run on a guess.
 */
export const commandNotFound: Hook<"command_not_found"> = async function (options) {
  const bin = options.config.bin
  const commandIds = options.config.commands.filter((command) => !command.hidden).map((command) => toConfiguredId(command.id, options.config))
  const message = commandNotFoundMessage(toConfiguredId(options.id, options.config), bin, commandIds)
  const argv = options.argv ?? []
  if (wantsJson(argv)) process.stdout.write(`${failureJson({ code: ExitCode.usage, message })}\n`)
  process.stderr.write(`${bin}: ${terminalText(message)}\n${helpHint(bin, undefined)}\n`)
  this.exit(ExitCode.usage)
}
