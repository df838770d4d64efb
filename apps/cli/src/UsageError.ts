import { Errors } from "@oclif/core"
import { distance } from "fastest-levenshtein"

/**
 * How a mistake on the command line is told: the error in one line, a "did you mean" when a name
 * is close to a real one, and a one-line hint to the command's help (not the whole usage, which
 * scrolled the error away).
 */
export interface UsageProblem {
  /** The error, one line. */
  readonly message: string
  /** `See 'tablecast sync --help'.` */
  readonly hint: string
}

/**
 * The names closest to a mistyped `name`, when close enough to be what was meant ("synk": sink or
 * sync, equally close), as one phrase; undefined when none is.
 */
export const closestName = (name: string, names: ReadonlyArray<string>): string | undefined => {
  const scored = names.map((candidate) => ({ candidate, edits: distance(name, candidate) }))
  const fewest = Math.min(...scored.map(({ edits }) => edits))
  // A third of the name's length, at least 2: "evnt" → "event", but "xyzzy" → nothing.
  if (!(fewest <= Math.max(2, Math.floor(name.length / 3)))) return undefined
  const best = scored.filter(({ edits }) => edits === fewest).map(({ candidate }) => candidate)
  return best.length === 1 ? best[0] : `${best.slice(0, -1).join(", ")} or ${best.at(-1)}`
}

const ANSI = /\u001b\[[0-9;]*m/g
const HELP_LINE = /\n?See more help with --help\s*$/
// oclif's "Parsing --port \n\tExpected an integer but received: abc": the flag, then the problem.
const PARSING = /^Parsing (--?[\w-]+)\s*;\s*/

/** The error of oclif's parser (the flag, the value, what it expected), in one line without colour. */
const oneLine = (message: string): string =>
  message
    .replace(ANSI, "")
    .replace(HELP_LINE, "")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !/^The following errors? occurred:$/.test(line))
    .join("; ")
    .replace(PARSING, "$1: ")

/** The flags that do not exist, as oclif's NonExistentFlagsError lists them ("--evnt", "-z"). */
const unknownFlagsOf = (error: Error): ReadonlyArray<string> => {
  const flags = (error as { flags?: unknown }).flags
  return Array.isArray(flags) ? flags.filter((flag): flag is string => typeof flag === "string") : []
}

/** A suggestion for each mistyped flag close to one the command has. */
const flagSuggestions = (unknown: ReadonlyArray<string>, flagNames: ReadonlyArray<string>): ReadonlyArray<string> =>
  unknown.flatMap((flag) => {
    if (!flag.startsWith("--")) return []
    const name = flag.slice(2).split("=")[0]!
    const suggestion = closestName(name, flagNames)
    return suggestion === undefined ? [] : [`${flag}: did you mean --${suggestion.replaceAll(", ", ", --").replace(" or ", " or --")}?`]
  })

/**
 * Whether an error is oclif's parser refusing the command line (a flag, its value, an argument):
 * tablecast's own errors are typed, never oclif's CLIError; an ExitError is a command's exit.
 */
export const isParseError = (error: Error): boolean => error instanceof Errors.CLIError && !(error instanceof Errors.ExitError)

/** The hint every usage error ends with. */
export const helpHint = (bin: string, commandId: string | undefined): string =>
  `See '${bin}${commandId === undefined ? "" : ` ${commandId}`} --help'.`

/** A parse error of `commandId`, told in one line with suggestions for mistyped flags. */
export const usageProblemOf = (
  error: Error,
  command: { readonly bin: string; readonly id: string | undefined; readonly flagNames: ReadonlyArray<string> }
): UsageProblem => {
  const suggestions = flagSuggestions(unknownFlagsOf(error), command.flagNames)
  const message = [oneLine(error.message), ...suggestions].join("; ")
  return { message, hint: helpHint(command.bin, command.id) }
}
