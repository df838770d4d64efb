import path from "node:path"
import type { StateConfig } from "@tablecast/config"
import { fromEnv, urlHoldsPassword } from "@tablecast/core"
import type { SnapshotStoreShape } from "@tablecast/incremental"
import { OptionsError } from "./Errors.ts"

/**
 * The snapshot store of an incremental sync: the SQLite file `.tablecast/state.db` in `cwd` by
 * default, or the one `state` names (SQLite or Postgres). Loaded on demand: a sync that is not
 * incremental never loads SQLite.
 */
export const snapshotStoreOf = async (state: StateConfig | undefined, baseDir: string, env: NodeJS.ProcessEnv): Promise<SnapshotStoreShape> => {
  if (state === undefined || "sqlite" in state) {
    const file = state === undefined ? path.join(baseDir, ".tablecast", "state.db") : path.resolve(baseDir, state.sqlite)
    const { sqliteSnapshotStore } = await import("@tablecast/state-sqlite")
    return sqliteSnapshotStore(file)
  }
  const { url: givenUrl, urlEnv, passwordEnv, schema } = state.postgres
  if (givenUrl !== undefined && urlHoldsPassword(givenUrl)) {
    throw new OptionsError(
      "state.postgres.url: the URL holds a password; set PGPASSWORD or name a variable with passwordEnv",
      "state.postgres.url"
    )
  }
  const url = givenUrl ?? fromEnv(env, urlEnv, "state.postgres.urlEnv")
  const password = fromEnv(env, passwordEnv, "state.postgres.passwordEnv")
  const { postgresSnapshotStore } = await import("@tablecast/state-postgres")
  return postgresSnapshotStore({
    connection: { ...(url === undefined ? {} : { connectionString: url }), ...(password === undefined ? {} : { password }) },
    ...(schema === undefined ? {} : { schema })
  })
}
