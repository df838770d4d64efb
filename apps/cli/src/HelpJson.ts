import type { Command } from "@oclif/core"
import { exitCodesPointer } from "./TablecastHelp.ts"

/** A flag as `help --json` tells it: what a script or an editor needs to build a command line. */
const flagJson = (name: string, flag: Command.Flag.Cached) => ({
  name,
  ...(flag.char === undefined ? {} : { char: flag.char }),
  type: flag.type,
  ...(flag.summary === undefined ? {} : { summary: flag.summary }),
  ...(flag.helpGroup === undefined ? {} : { group: flag.helpGroup }),
  ...(flag.type === "option" && flag.options !== undefined ? { options: flag.options } : {}),
  ...(flag.default === undefined || typeof flag.default === "function" ? {} : { default: flag.default as unknown }),
  ...(flag.type === "option" && flag.multiple === true ? { multiple: true } : {}),
  ...(flag.type === "boolean" && flag.allowNo ? { allowNo: true } : {})
})

/** A command as `tablecast help <command> --json` prints it. */
export const commandJson = (command: Command.Loadable, bin: string) => ({
  id: command.id.replaceAll(":", " "),
  summary: command.summary,
  args: Object.entries(command.args).map(([name, arg]) => ({ name, description: arg.description, required: arg.required === true })),
  flags: Object.entries(command.flags)
    .filter(([, flag]) => flag.hidden !== true)
    .map(([name, flag]) => flagJson(name, flag)),
  examples: (command.examples ?? []).map((example) =>
    (typeof example === "string" ? example : example.command).replaceAll("<%= config.bin %>", bin).replaceAll("<%= command.id %>", command.id)
  ),
  exitCodes: exitCodesPointer(command.id.replaceAll(":", " "))
})
