import type { RunRecord } from "@tablecast/core"
import { describeFsError } from "@tablecast/state-file"
import { runHistoryFile } from "@tablecast/state-file/history"
import { ExitCode } from "./ExitCode.ts"
import { runFilterOf } from "./RunFilterFlags.ts"
import { runsTableText, runText } from "./RunsText.ts"
import { terminalJson } from "./TerminalText.ts"

/** What `runs` and `runs show` print, or why they stop: the exit code and the message (loaded by those commands only). */
export type ListingOutput = { readonly text: string } | { readonly failure: { readonly code: number; readonly message: string } }

const unreadable = (file: string, error: unknown): ListingOutput => ({
  failure: { code: ExitCode.stateFailed, message: `the run history ${file} cannot be read: ${describeFsError(error)}` }
})

/** `tablecast runs`: the runs the flags select, the newest first. A date flag it cannot read throws its ConfigError (exit 2). */
export const runsListing = async (
  file: string,
  flags: Parameters<typeof runFilterOf>[0] & { readonly json: boolean },
  now: Date
): Promise<ListingOutput> => {
  const filter = runFilterOf(flags, now)
  let runs: ReadonlyArray<RunRecord>
  try {
    runs = await runHistoryFile(file).list(filter)
  } catch (error) {
    return unreadable(file, error)
  }
  return { text: flags.json ? terminalJson(JSON.stringify({ runs }, null, 2)) : runsTableText(runs) }
}

/** `tablecast runs show <id>`: one run in full; an id no run has is the user's mistake (exit 2). */
export const runShowing = async (file: string, id: string, json: boolean): Promise<ListingOutput> => {
  let run: RunRecord | undefined
  try {
    run = await runHistoryFile(file).get(id)
  } catch (error) {
    return unreadable(file, error)
  }
  if (run === undefined) {
    return {
      failure: { code: ExitCode.usage, message: `no run ${JSON.stringify(id)} in the run history ${file}: \`tablecast runs\` lists the ids` }
    }
  }
  return { text: json ? terminalJson(JSON.stringify(run, null, 2)) : runText(run) }
}
