import { writeFileSync } from "node:fs"
import { connectAttempts, lookups } from "./index.ts"

/**
 * The guard for a child process a test spawns (the built CLI): `NODE_OPTIONS=--import <dist/preload.js>`.
 * Connections to anything but loopback are refused as in the test process; when
 * TABLECAST_NET_RECORD names a file, the child writes there, as it exits, what it connected to and
 * looked up, for the test to assert on.
 */
const record = process.env.TABLECAST_NET_RECORD
if (record !== undefined && record !== "") {
  process.on("exit", () => {
    writeFileSync(record, JSON.stringify({ connects: connectAttempts(), lookups: lookups() }))
  })
}
