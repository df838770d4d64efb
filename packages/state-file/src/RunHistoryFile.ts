import { constants } from "node:fs"
import { mkdir, open, readFile } from "node:fs/promises"
import path from "node:path"
import { isRunRecord, retainedRuns, type RunHistory, type RunRecord, type RunRetention, selectRuns } from "@tablecast/core"
import { lstatOrUndefined, SYMLINK_REFUSED, writeFileAtomically } from "./AtomicFile.ts"

/** The run history's file in a state folder. */
export const RUN_HISTORY_FILE_NAME = "runs.jsonl"

export interface RunHistoryFileOptions {
  readonly retention?: RunRetention
  /** The clock retention measures age against. */
  readonly now?: () => Date
}

/** The records of a history file's text; a line that is not a record of this version (cut short by a crash, a newer version) is skipped. */
const recordsOf = (text: string): Array<RunRecord> => {
  const records: Array<RunRecord> = []
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue
    try {
      const value: unknown = JSON.parse(line)
      if (isRunRecord(value)) records.push(value)
    } catch {
      // A line cut short by a crash mid-append: the records around it still count.
    }
  }
  return records
}

const readText = async (file: string): Promise<string> => {
  try {
    return await readFile(file, "utf8")
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return ""
    throw error
  }
}

/** Lines in a text, counted without parsing any (the common case: under the bound, nothing to rewrite). */
const lineCount = (text: string): number => {
  let count = 0
  for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) count++
  return count
}

/** Whether the oldest line (the first: lines are appended as runs end) is past the age bound. */
const firstIsTooOld = (text: string, retention: RunRetention, now: Date): boolean => {
  if (retention.maxAgeDays === undefined) return false
  const first = recordsOf(text.slice(0, text.indexOf("\n") + 1))[0]
  return first === undefined || retainedRuns([first], { maxAgeDays: retention.maxAgeDays }, now).length === 0
}

/**
 * A run history kept as one JSON line per run. A run appends its line at its end (nothing is read
 * at its start); the file is rewritten, atomically, only when it holds more runs than the
 * retention keeps. Like every file tablecast writes, it is never written through a symbolic link.
 */
export const runHistoryFile = (file: string, options: RunHistoryFileOptions = {}): RunHistory & { readonly location: string } => {
  const location = path.resolve(file)
  const retention = options.retention ?? {}
  const now = options.now ?? (() => new Date())

  const enforceRetention = async () => {
    if (retention.maxRuns === undefined && retention.maxAgeDays === undefined) return
    const text = await readText(location)
    const at = now()
    if (lineCount(text) <= (retention.maxRuns ?? Number.POSITIVE_INFINITY) && !firstIsTooOld(text, retention, at)) return
    const kept = retainedRuns(recordsOf(text), retention, at)
    await writeFileAtomically(location, kept.map((record) => `${JSON.stringify(record)}\n`).join(""))
  }

  return {
    location,
    append: async (record) => {
      if ((await lstatOrUndefined(location))?.isSymbolicLink()) throw Object.assign(new Error(SYMLINK_REFUSED), { code: "ELOOP" })
      await mkdir(path.dirname(location), { recursive: true })
      // O_APPEND: lines of runs ending at once go whole, one after the other.
      const handle = await open(location, constants.O_RDWR | constants.O_CREAT | constants.O_APPEND | constants.O_NOFOLLOW, 0o644)
      try {
        // A line cut short by a crash mid-append has no newline: end it, so this run's line stands alone.
        const { size } = await handle.stat()
        const last = Buffer.alloc(1)
        if (size > 0) await handle.read(last, 0, 1, size - 1)
        const start = size > 0 && last[0] !== 0x0a ? "\n" : ""
        await handle.writeFile(`${start}${JSON.stringify(record)}\n`)
      } finally {
        await handle.close()
      }
      await enforceRetention()
    },
    list: async (filter) => selectRuns(recordsOf(await readText(location)), filter),
    get: async (id) => recordsOf(await readText(location)).find((record) => record.id === id)
  }
}
