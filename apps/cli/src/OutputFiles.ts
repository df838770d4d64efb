import { randomBytes } from "node:crypto"
import { constants, type Stats } from "node:fs"
import { mkdir, open, unlink } from "node:fs/promises"
import path from "node:path"
import { describeFsError, lstatOrUndefined, SYMLINK_REFUSED } from "@tablecast/state-file"
import * as Schema from "effect/Schema"

// Written whole and atomically (the report, the checkpoint, a config file): shared with the checkpoint file store.
export { describeFsError, writeFileAtomically } from "@tablecast/state-file"

/**
 * The files a run writes besides what it sends: the report, the rejects file, the checkpoint and
 * the state database. Each is checked before anything is read or sent (`preflightOutputs`), and
 * written without ever following a symbolic link: a link planted where an output goes would
 * otherwise have tablecast overwrite whatever it points to.
 *
 * Missing folders are created (as `mkdir -p`), for every output alike.
 */

/**
 * How an output is written:
 * - `replace`: written whole to a temporary file in the same folder, then renamed over it
 *   (the report, the checkpoint). A regular file or nothing.
 * - `stream`: written in place as the run goes (the rejects file). A regular file, nothing, or a
 *   character device such as /dev/null.
 * - `database`: opened read-write by SQLite, which keeps journal files beside it (the state database).
 */
export type OutputMode = "replace" | "stream" | "database"

export interface OutputLocation {
  /** The flag (or config field) that names it, for the message: `--report`. */
  readonly flag: string
  readonly path: string
  readonly mode: OutputMode
}

/** An output location tablecast cannot use: the message names the flag and the path (the CLI exits 11). */
export class OutputLocationError extends Schema.TaggedError<OutputLocationError>()("OutputLocationError", {
  message: Schema.String,
  flag: Schema.String,
  file: Schema.String
}) {}

const outputLocationError = (flag: string, file: string, reason: string) =>
  new OutputLocationError({ message: `${flag} ${file}: ${reason}`, flag, file })

/**
 * Checks that an output can be written, creating its folder: a symbolic link, a folder or a
 * special file where the output goes, a folder that cannot be created or written to, or a file
 * that cannot be opened for writing all fail here, before the run reads or sends anything.
 * Nothing existing is changed: the folder is probed with a file of its own, removed at once.
 */
export const checkOutput = async (location: OutputLocation): Promise<void> => {
  const file = path.resolve(location.path)
  const fail = (reason: string) => outputLocationError(location.flag, location.path, reason)
  let stats: Stats | undefined
  try {
    stats = await lstatOrUndefined(file)
  } catch (error) {
    throw fail(describeFsError(error))
  }
  if (stats !== undefined) {
    if (stats.isSymbolicLink()) throw fail(SYMLINK_REFUSED)
    if (stats.isDirectory()) throw fail("it is a folder: give a file name")
    const special = !stats.isFile() && !(location.mode === "stream" && stats.isCharacterDevice())
    if (special) throw fail("it is not a regular file")
  }
  const folder = path.dirname(file)
  try {
    await mkdir(folder, { recursive: true })
  } catch (error) {
    throw fail(`cannot create its folder ${folder}: ${describeFsError(error)}`)
  }
  // Write access to the folder: the report and the checkpoint are renamed into it, SQLite keeps
  // its journal there. access() would not do: it says yes to root on a read-only mount.
  const probe = path.join(folder, `.tablecast-probe-${process.pid}-${randomBytes(4).toString("hex")}`)
  try {
    const handle = await open(probe, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600)
    await handle.close()
    await unlink(probe)
  } catch (error) {
    throw fail(`its folder ${folder} is not writable: ${describeFsError(error)}`)
  }
  if (stats !== undefined) {
    try {
      const handle = await open(file, (location.mode === "database" ? constants.O_RDWR : constants.O_WRONLY) | constants.O_NOFOLLOW)
      await handle.close()
    } catch (error) {
      throw fail(`cannot open it for writing: ${describeFsError(error)}`)
    }
  }
}

/** Checks every output in turn; the first unusable one fails with its flag and path. */
export const preflightOutputs = async (locations: ReadonlyArray<OutputLocation>): Promise<void> => {
  for (const location of locations) await checkOutput(location)
}
