import { createHash } from "node:crypto"
import { readdir, stat } from "node:fs/promises"
import path from "node:path"

/** Files looked at under the named folders; past it, the fingerprint covers the first ones in name order. */
export const MAX_FINGERPRINT_FILES = 100_000

const GLOB = /[*?[{]/

/** Every file under `root` (itself when it is a file), in name order. */
const filesUnder = async (root: string): Promise<ReadonlyArray<string>> => {
  const stats = await stat(root).catch(() => undefined)
  if (stats === undefined) return []
  if (!stats.isDirectory()) return [root]
  const entries = await readdir(root, { recursive: true, withFileTypes: true })
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort()
}

/**
 * What a resumed run compares to know the data did not change: the SQL, and the name, size and
 * modification time of every file the named paths hold (a glob: every file under the folder
 * before its first wildcard). Constant memory per file; no file is read.
 */
export const fingerprintPaths = async (sql: string, paths: ReadonlyArray<string>): Promise<string> => {
  const hash = createHash("sha256").update(sql)
  let seen = 0
  for (const named of paths) {
    const root = GLOB.test(named) ? named.slice(0, named.search(GLOB)).replace(/[^/\\]*$/, "") : named
    for (const file of await filesUnder(root)) {
      if (seen++ >= MAX_FINGERPRINT_FILES) break
      const stats = await stat(file).catch(() => undefined)
      if (stats !== undefined) hash.update(`\n${file}\t${stats.size}\t${Math.trunc(stats.mtimeMs)}`)
    }
  }
  return `duckdb:v1:${hash.digest("hex")}`
}
