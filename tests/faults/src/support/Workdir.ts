import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { afterEach, beforeEach } from "vitest"

/**
 * A fresh folder per test, the CLI's working directory (so its default checkpoint folder,
 * `.tablecast/state`, lands there). Removed after the test; kept when TABLECAST_KEEP_WORKDIRS is set.
 */
export const useWorkdir = (): { readonly path: string; readonly file: (name: string) => string } => {
  let dir = ""
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "tablecast-faults-"))
  })
  afterEach(async () => {
    if (process.env.TABLECAST_KEEP_WORKDIRS === undefined) await rm(dir, { recursive: true, force: true })
  })
  return {
    get path() {
      return dir
    },
    file: (name) => path.join(dir, name)
  }
}
