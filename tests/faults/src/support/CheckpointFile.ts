import { readdir, readFile } from "node:fs/promises"
import path from "node:path"
import type { Checkpoint } from "@tablecast/core"

/** The checkpoint files in a state folder (the CLI's default: `<cwd>/.tablecast/state`). */
export const checkpointFiles = async (stateDir: string): Promise<Array<string>> => {
  try {
    return (await readdir(stateDir)).filter((name) => name.endsWith(".checkpoint.json")).map((name) => path.join(stateDir, name))
  } catch {
    return []
  }
}

/** The one checkpoint of a state folder, or undefined when there is none yet. */
export const readCheckpoint = async (stateDir: string): Promise<Checkpoint | undefined> => {
  const files = await checkpointFiles(stateDir)
  if (files.length > 1) throw new Error(`expected one checkpoint in ${stateDir}, found ${files.length}`)
  if (files.length === 0) return undefined
  return JSON.parse(await readFile(files[0]!, "utf8")) as Checkpoint
}

/** Whether a row is in `[from, to]` ranges (a checkpoint's `undelivered`, a report's `undeliveredRows`). */
export const inRanges = (row: number, ranges: ReadonlyArray<readonly [number, number]> = []): boolean =>
  ranges.some(([from, to]) => from <= row && row <= to)

/** How many rows `[from, to]` ranges hold. */
export const rowsInRanges = (ranges: ReadonlyArray<readonly [number, number]> = []): number =>
  ranges.reduce((sum, [from, to]) => sum + to - from + 1, 0)

/**
 * The rows a checkpoint claims (1..watermark, except those it lists as undelivered) that the
 * receiver did not acknowledge in full: each row stands for `messagesPerRow` messages (2 for
 * `--type both`), all of which must be acknowledged. `acknowledged` maps each acknowledged
 * messageId to its row.
 */
export const unacknowledgedClaims = (
  watermark: number,
  acknowledged: ReadonlyMap<string, number>,
  messagesPerRow = 1,
  undelivered: ReadonlyArray<readonly [number, number]> = []
): Array<number> => {
  const perRow = new Map<number, number>()
  for (const row of acknowledged.values()) perRow.set(row, (perRow.get(row) ?? 0) + 1)
  const claims: Array<number> = []
  for (let row = 1; row <= watermark; row++) if ((perRow.get(row) ?? 0) < messagesPerRow && !inRanges(row, undelivered)) claims.push(row)
  return claims
}
