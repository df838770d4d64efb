import { constants } from "node:fs"
import { mkdir, open, readFile } from "node:fs/promises"
import path from "node:path"
import { isRunRecord, type RunHistory, type RunRecord, type RunRetention, selectRuns } from "@tablecast/core"
import { lstatOrUndefined, SYMLINK_REFUSED, writeFileAtomically } from "./AtomicFile.ts"

export interface RunHistoryFileOptions {
  readonly retention?: RunRetention
  /** The clock retention measures age against. */
  readonly now?: () => Date
}

/** The parsed record of one line, or undefined when it is not one. */
const recordOfLine = (line: string): RunRecord | undefined => {
  try {
    const value: unknown = JSON.parse(line)
    return isRunRecord(value) ? value : undefined
  } catch {
    return undefined
  }
}

/** The records of a history file's text; a line that is not a record of this version (cut short by a crash, a newer version) is skipped. */
const recordsOf = (text: string): Array<RunRecord> => {
  const records: Array<RunRecord> = []
  for (const line of text.split("\n")) {
    // A line cut short by a crash mid-append is skipped: the records around it still count.
    const record = line.trim() === "" ? undefined : recordOfLine(line)
    if (record !== undefined) records.push(record)
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

const readBytes = async (file: string): Promise<Buffer> => {
  try {
    return await readFile(file)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return Buffer.alloc(0)
    throw error
  }
}

const NEWLINE = 0x0a

/**
 * Where the lines a retention keeps start: lines are appended as runs end, so the oldest are
 * first. Past `maxRuns`, the first lines go; then, past `maxAgeDays`, the first lines until one
 * within the age (a line that is no record goes with them). Only those lines are parsed: a history
 * at its bound costs a run a read and a rewrite of bytes, not a parse of every run.
 */
const retainedFrom = (bytes: Buffer, retention: RunRetention, now: Date): number => {
  let lines = 0
  for (let at = bytes.indexOf(NEWLINE); at !== -1; at = bytes.indexOf(NEWLINE, at + 1)) lines++
  let start = 0
  for (let excess = lines - (retention.maxRuns ?? lines); excess > 0; excess--) start = bytes.indexOf(NEWLINE, start) + 1
  if (retention.maxAgeDays === undefined) return start
  const cutoff = now.getTime() - retention.maxAgeDays * 86_400_000
  for (let end = bytes.indexOf(NEWLINE, start); end !== -1; end = bytes.indexOf(NEWLINE, start)) {
    const record = recordOfLine(bytes.subarray(start, end).toString("utf8"))
    if (record !== undefined && !(Date.parse(record.startedAt) < cutoff)) break
    start = end + 1
  }
  return start
}

/**
 * A run history kept as one JSON line per run. A run appends its line at its end (nothing is read
 * at its start); the file is rewritten, atomically, only when it holds more runs than the
 * retention keeps, without its oldest lines. Like every file tablecast writes, it is never written through a symbolic link.
 */
export const runHistoryFile = (file: string, options: RunHistoryFileOptions = {}): RunHistory & { readonly location: string } => {
  const location = path.resolve(file)
  const retention = options.retention ?? {}
  const now = options.now ?? (() => new Date())

  const enforceRetention = async () => {
    if (retention.maxRuns === undefined && retention.maxAgeDays === undefined) return
    const bytes = await readBytes(location)
    const start = retainedFrom(bytes, retention, now())
    if (start > 0) await writeFileAtomically(location, bytes.subarray(start))
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
