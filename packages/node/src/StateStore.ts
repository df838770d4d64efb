import path from "node:path"
import { fromEnv, type RunHistory, type RunRetention, urlHoldsPassword } from "@tablecast/core"
import type { SnapshotStoreShape } from "@tablecast/incremental"
import type { StateConfig } from "@tablecast/config"
import { ConfigError } from "@tablecast/config"
import { type DriverSet, withDriver } from "./Drivers.ts"

/** The default snapshot file of a project: beside the checkpoints, one file for every sync. */
export const defaultStateFile = (baseDir: string) => path.join(baseDir, ".tablecast", "state.db")

type PostgresState = Extract<StateConfig, { readonly postgres: unknown }>["postgres"]

/** Where a Postgres state store connects: its URL (or the PG* variables), its password from a variable, its schema. */
const postgresConnectionOf = (postgres: PostgresState, env: NodeJS.ProcessEnv) => {
  const { url: givenUrl, urlEnv, passwordEnv, schema } = postgres
  const url = givenUrl ?? fromEnv(env, urlEnv, "state.postgres.urlEnv")
  if (givenUrl !== undefined && urlHoldsPassword(givenUrl)) {
    throw new ConfigError({ message: "state.postgres.url: the URL holds a password; set PGPASSWORD or name a variable with passwordEnv" })
  }
  const password = fromEnv(env, passwordEnv, "state.postgres.passwordEnv")
  // No URL: node-postgres reads the PG* variables itself, as the Postgres source does.
  const connection = { ...(url === undefined ? {} : { connectionString: url }), ...(password === undefined ? {} : { password }) }
  return { connection, schema }
}

const postgresStatePackage = (drivers: DriverSet) =>
  withDriver(drivers.postgresState, "the Postgres state store", drivers.howToInstall, () => import("@tablecast/state-postgres"))

/**
 * The run history kept in an incremental sync's snapshot store: the SQLite state file's
 * `run_history` table, or the Postgres store's schema. Loaded on demand, as the store is.
 */
export const runHistoryOfState = async (
  state: StateConfig | undefined,
  baseDir: string,
  env: NodeJS.ProcessEnv,
  drivers: DriverSet,
  options: { readonly retention?: RunRetention; readonly now?: () => Date } = {}
): Promise<RunHistory & { readonly location: string }> => {
  if (state === undefined || "sqlite" in state) {
    const file = state === undefined ? defaultStateFile(baseDir) : path.resolve(baseDir, state.sqlite)
    const { sqliteRunHistory } = await import("@tablecast/state-sqlite")
    return sqliteRunHistory(file, options)
  }
  const { connection, schema } = postgresConnectionOf(state.postgres, env)
  const { postgresRunHistory } = await postgresStatePackage(drivers)
  return postgresRunHistory({ connection, ...(schema === undefined ? {} : { schema }), ...options })
}

/**
 * The snapshot store an incremental sync uses. Loaded on demand: a sync that is not incremental
 * never loads SQLite (node:sqlite) or a second Postgres client. The Postgres store needs its
 * package installed (`drivers.postgresState`): a DriverMissingError otherwise.
 */
export const snapshotStoreOf = async (
  state: StateConfig | undefined,
  baseDir: string,
  env: NodeJS.ProcessEnv,
  drivers: DriverSet
): Promise<SnapshotStoreShape> => {
  if (state === undefined || "sqlite" in state) {
    const file = state === undefined ? defaultStateFile(baseDir) : path.resolve(baseDir, state.sqlite)
    const { sqliteSnapshotStore } = await import("@tablecast/state-sqlite")
    return sqliteSnapshotStore(file)
  }
  const { connection, schema } = postgresConnectionOf(state.postgres, env)
  const { postgresSnapshotStore } = await postgresStatePackage(drivers)
  return postgresSnapshotStore({ connection, ...(schema === undefined ? {} : { schema }) })
}
