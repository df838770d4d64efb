import { ConfigError } from "@tablecast/config"
import { newestFirst, type RunRecord } from "@tablecast/core"
import { describeFsError } from "@tablecast/state-file"
import { ExitCode } from "./ExitCode.ts"
import type { HistorySource } from "./HistorySources.ts"
import { runFilterOf } from "./RunFilterFlags.ts"
import { runsTableText, runText } from "./RunsText.ts"
import { terminalJson } from "./TerminalText.ts"

/** What `runs` and `runs show` print, or why they stop: the exit code and the message (loaded by those commands only). */
export type ListingOutput = { readonly text: string } | ListingFailure

/** Why `runs` or `runs show` stops: the exit code and the message. */
export interface ListingFailure {
  readonly failure: { readonly code: number; readonly message: string }
}

/** A history that cannot be read: exit 9 naming it (2 when the config names a variable that is not set). */
const unreadable = (location: string, error: unknown): ListingFailure => {
  if (error instanceof ConfigError) return { failure: { code: ExitCode.usage, message: error.message } }
  // A Postgres store's StateError names the store itself (scrubbed of secrets); a file's error is told by its code.
  if ((error as { _tag?: unknown } | undefined)?._tag === "StateError") {
    return { failure: { code: ExitCode.stateFailed, message: `the run history cannot be read: ${(error as Error).message}` } }
  }
  const why = (error as NodeJS.ErrnoException | undefined)?.code?.startsWith("E") ? describeFsError(error) : (error as Error).message
  return { failure: { code: ExitCode.stateFailed, message: `the run history ${location} cannot be read: ${why}` } }
}

/** Reads every source in turn; the first that cannot be read stops the listing. */
const readEach = async <A>(
  sources: ReadonlyArray<HistorySource>,
  read: (history: Awaited<ReturnType<HistorySource["open"]>>) => Promise<A>
): Promise<{ readonly results: ReadonlyArray<A> } | { readonly failure: ListingFailure }> => {
  const results: Array<A> = []
  for (const source of sources) {
    try {
      results.push(await read(await source.open()))
    } catch (error) {
      return { failure: unreadable(source.location, error) }
    }
  }
  return { results }
}

/**
 * `tablecast runs`: the runs the flags select from every source, the newest first. Each source
 * gives its newest `limit`; merged, the newest `limit` of those are the newest of all. A date flag
 * it cannot read throws its ConfigError (exit 2).
 */
export const runsListing = async (
  sources: ReadonlyArray<HistorySource>,
  flags: Parameters<typeof runFilterOf>[0] & { readonly json: boolean },
  now: Date
): Promise<ListingOutput> => {
  const filter = runFilterOf(flags, now)
  const read = await readEach(sources, (history) => history.list(filter))
  if ("failure" in read) return read.failure
  const byId = new Map<string, RunRecord>()
  for (const run of read.results.flat()) if (!byId.has(run.id)) byId.set(run.id, run)
  const merged = [...byId.values()].sort(newestFirst)
  const runs = filter.limit === undefined ? merged : merged.slice(0, filter.limit)
  return { text: flags.json ? terminalJson(JSON.stringify({ runs }, null, 2)) : runsTableText(runs) }
}

/** The run with this id and the source that holds it (searched in turn); an id no run has is the user's mistake (exit 2). */
export const findRecordedRun = async (
  sources: ReadonlyArray<HistorySource>,
  id: string
): Promise<{ readonly run: RunRecord; readonly source: HistorySource } | ListingFailure> => {
  for (const source of sources) {
    let run: RunRecord | undefined
    try {
      run = await (await source.open()).get(id)
    } catch (error) {
      return unreadable(source.location, error)
    }
    if (run !== undefined) return { run, source }
  }
  const where = sources.map((source) => source.location).join(", ")
  return {
    failure: { code: ExitCode.usage, message: `no run ${JSON.stringify(id)} in the run history (${where}): \`tablecast runs\` lists the ids` }
  }
}

/** `tablecast runs show <id>`: one run in full, and the source that holds it (for its HTML report). */
export const runShowing = async (
  sources: ReadonlyArray<HistorySource>,
  id: string,
  json: boolean
): Promise<{ readonly text: string; readonly run: RunRecord; readonly source: HistorySource } | ListingFailure> => {
  const found = await findRecordedRun(sources, id)
  if ("failure" in found) return found
  return { ...found, text: json ? terminalJson(JSON.stringify(found.run, null, 2)) : runText(found.run) }
}
