import type { StateConfig } from "@tablecast/config"
import { snapshotStoreOf as sharedSnapshotStoreOf } from "@tablecast/node/shared"
import { cliDrivers } from "./sources/Drivers.ts"

// The snapshot store of an incremental sync: @tablecast/node's, shared with the Promise API; the
// Postgres store needs the pg driver beside the CLI.
export { defaultStateFile } from "@tablecast/node/shared"
export const snapshotStoreOf = (state: StateConfig | undefined, baseDir: string, env: NodeJS.ProcessEnv) =>
  sharedSnapshotStoreOf(state, baseDir, env, cliDrivers)
