import path from "node:path"
import { fromEnv, urlHoldsPassword } from "@tablecast/core"
import type { SnapshotStoreShape } from "@tablecast/incremental"
import type { StateConfig } from "./SyncConfig.ts"
import { ConfigError } from "@tablecast/config"
import { drivers, withDriver } from "./sources/Drivers.ts"

/** The default snapshot file of a project: beside the checkpoints, one file for every sync. */
export const defaultStateFile = (baseDir: string) => path.join(baseDir, ".tablecast", "state.db")

/**
 * The snapshot store an incremental sync uses. Loaded on demand: a sync that is not incremental
 * never loads SQLite (node:sqlite) or a second Postgres client. The Postgres store needs the pg
 * driver installed beside the CLI (a DriverMissingError, exit 13, otherwise).
 */
export const snapshotStoreOf = async (state: StateConfig | undefined, baseDir: string, env: NodeJS.ProcessEnv): Promise<SnapshotStoreShape> => {
  if (state === undefined || "sqlite" in state) {
    const file = state === undefined ? defaultStateFile(baseDir) : path.resolve(baseDir, state.sqlite)
    const { sqliteSnapshotStore } = await import("@tablecast/state-sqlite")
    return sqliteSnapshotStore(file)
  }
  const { url: givenUrl, urlEnv, passwordEnv, schema } = state.postgres
  const url = givenUrl ?? fromEnv(env, urlEnv, "state.postgres.urlEnv")
  if (givenUrl !== undefined && urlHoldsPassword(givenUrl)) {
    throw new ConfigError({ message: "state.postgres.url: the URL holds a password; set PGPASSWORD or name a variable with passwordEnv" })
  }
  const password = fromEnv(env, passwordEnv, "state.postgres.passwordEnv")
  const { postgresSnapshotStore } = await withDriver(drivers.pg, "the Postgres state store", () => import("@tablecast/state-postgres"))
  // No URL: node-postgres reads the PG* variables itself, as the Postgres source does.
  return postgresSnapshotStore({
    connection: {
      ...(url === undefined ? {} : { connectionString: url }),
      ...(password === undefined ? {} : { password })
    },
    ...(schema === undefined ? {} : { schema })
  })
}
