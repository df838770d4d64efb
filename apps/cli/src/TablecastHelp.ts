import { type Command, Help } from "@oclif/core"

/** Where the exit codes of a command are documented (its section of docs/exit-codes.md). */
export const exitCodesPointer = (commandId: string | undefined): string =>
  commandId === undefined
    ? "Every command's exit codes: docs/exit-codes.md in the tablecast repository, one table per command."
    : `docs/exit-codes.md, section "tablecast ${commandId}" in the tablecast repository.`

/**
 * oclif's help with one more section, EXIT CODES, on every command's help (the plugins' too) and
 * on the overview: where the codes a scheduler acts on are written down (package.json "oclif.helpClass").
 */
export class TablecastHelp extends Help {
  protected override formatCommand(command: Command.Loadable): string {
    return `${super.formatCommand(command)}\n\n${this.section("EXIT CODES", exitCodesPointer(command.id.replaceAll(":", " ")))}`
  }

  override formatRoot(): string {
    return `${super.formatRoot()}\n\n${this.section("EXIT CODES", exitCodesPointer(undefined))}`
  }
}
