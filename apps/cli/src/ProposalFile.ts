import { existsSync } from "node:fs"
import { readFile } from "node:fs/promises"
import path from "node:path"
import { ConfigError, type SyncProposal } from "@tablecast/config"
import type { ConfigEntry } from "@tablecast/core"
import { DEFAULT_CONFIG_FILE } from "./ConfigEntry.ts"
import { writeFileAtomically } from "./OutputFiles.ts"

/**
 * Writes a proposed sync into a config file (`inspect --write-config`), created or added to; a
 * sync of that name already there is the user's to rename. Gives what to tell the user, for stderr.
 */
export const writeProposal = async (input: {
  /** The file as the user named it (messages name it so). */
  readonly given: string
  readonly name: string
  readonly proposal: SyncProposal
  /** The source entry as written into a file in a folder: paths relative to it, never a password. */
  readonly entryIn: (folder: string) => ConfigEntry<unknown>
  /** Entry fields beside the source (a dbt model's `dbt`), given the config file's folder. */
  readonly fieldsIn?: (folder: string) => Record<string, unknown>
}): Promise<ReadonlyArray<string>> => {
  const file = path.resolve(input.given)
  const config = existsSync(file) ? (JSON.parse(await readFile(file, "utf8")) as { syncs?: Record<string, unknown> }) : { syncs: {} }
  config.syncs ??= {}
  if (input.name in config.syncs)
    throw new ConfigError({ message: `${input.given} already has a sync named "${input.name}": choose another with --name` })
  const notices: Array<string> = []
  // The file must never hold a password: a URL holding one goes, a variable name comes in its place.
  const { entry, urlMovedTo } = input.entryIn(path.dirname(file))
  if (urlMovedTo !== undefined) {
    notices.push(`the connection URL holds a password, so the config names the variable ${urlMovedTo} instead: set it before running the sync`)
  }
  config.syncs[input.name] = { source: entry, ...input.fieldsIn?.(path.dirname(file)), ...input.proposal.spec }
  await writeFileAtomically(file, `${JSON.stringify(config, null, 2)}\n`)
  const configFlag = file === path.resolve(DEFAULT_CONFIG_FILE) ? "" : ` --config ${input.given}`
  notices.push(`wrote sync "${input.name}" to ${input.given}: review it, then run tablecast sync ${input.name}${configFlag}`)
  return notices
}

/**
 * The parsed settings of a source, keeping only those the user gave (`given`, as written): the
 * defaults the schema filled in are left out, so that the config file decides them again where
 * it runs (a CSV file's worker thread is the machine's choice, not the data's).
 */
export const givenSettings = <Config extends object>(parsed: Config, given: unknown): Config => {
  if (typeof given !== "object" || given === null) return parsed
  const written = given as Record<string, unknown>
  return Object.fromEntries(Object.entries(parsed).filter(([key]) => written[key] !== undefined)) as Config
}
