import { constants } from "node:fs"
import { lstat, mkdir, open, rename, unlink } from "node:fs/promises"
import path from "node:path"

/** Why a symbolic link where a file goes is refused (a link planted there would have tablecast overwrite what it points to). */
export const SYMLINK_REFUSED = "it is a symbolic link, and tablecast never writes through one: give the path of a regular file"

/** A file's status without following a link; undefined when there is nothing there. */
export const lstatOrUndefined = async (file: string) => {
  try {
    return await lstat(file)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined
    throw error
  }
}

let temporaries = 0

/**
 * Writes a file whole, atomically: a new temporary file in the same folder (created exclusively,
 * never through a link), flushed to disk if asked, then renamed over the target. A crash leaves the old
 * file or the new one, never half of one; a symbolic link at the target is refused, not followed.
 */
export const writeFileAtomically = async (file: string, text: string | Uint8Array, options: { readonly sync?: boolean } = {}): Promise<void> => {
  const target = path.resolve(file)
  const existing = await lstatOrUndefined(target)
  if (existing?.isSymbolicLink()) throw Object.assign(new Error(SYMLINK_REFUSED), { code: "ELOOP" })
  const folder = path.dirname(target)
  await mkdir(folder, { recursive: true })
  const temporary = path.join(folder, `.${path.basename(target)}.${process.pid}.${++temporaries}.tmp`)
  const handle = await open(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644)
  try {
    await handle.writeFile(text)
    // The checkpoint, saved often, skips this: a lost save only means a resume re-sends a little.
    if (options.sync === true) await handle.sync()
  } catch (error) {
    await handle.close().catch(() => {})
    await unlink(temporary).catch(() => {})
    throw error
  }
  await handle.close()
  try {
    await rename(temporary, target)
  } catch (error) {
    await unlink(temporary).catch(() => {})
    throw error
  }
}
