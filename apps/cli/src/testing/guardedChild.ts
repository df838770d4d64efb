import { readFile } from "node:fs/promises"
import { createRequire } from "node:module"
import path from "node:path"

interface NetRecord {
  readonly connects: ReadonlyArray<{ readonly host: string; readonly port?: number; readonly allowed: boolean }>
  readonly lookups: ReadonlyArray<string>
}

const guardFolder = path.dirname(createRequire(import.meta.url).resolve("@tablecast/loopback-guard/package.json"))

/**
 * The environment that puts the loopback guard into a spawned CLI (built: `dist/preload.js`): any
 * connection but to loopback is refused, and what the process connected to and looked up is
 * written to `recordFile` as it exits.
 */
export const guardedChildEnv = (recordFile: string): Record<string, string> => ({
  NODE_OPTIONS: `--import=${path.join(guardFolder, "dist", "preload.js")}`,
  TABLECAST_NET_RECORD: recordFile
})

/** What the guarded child did on the network: its connections and the names it looked up. */
export const readNetRecord = async (recordFile: string): Promise<NetRecord> => JSON.parse(await readFile(recordFile, "utf8")) as NetRecord
