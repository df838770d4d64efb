import { fromEnv, syncNamespace } from "@tablecast/core"
import { incrementalOf } from "@tablecast/incremental"
import { connectionIdentity } from "@tablecast/source-postgres"
import { type DigestFilter, postgresConnectionIdentity } from "@tablecast/source-postgres/adapter"
import { snapshotDigestTable } from "@tablecast/state-postgres"
import type { ResolvedSync } from "./SyncConfig.ts"

/**
 * The digest filter of a sync that can diff in the database: an incremental sync reading Postgres
 * whose Postgres state store is the same database as the same user (so the store can read the
 * source's table and the source the store's snapshot). Undefined otherwise: the diff stays on the
 * client.
 */
export const diffInDatabaseFilter = (sync: ResolvedSync, env: NodeJS.ProcessEnv): DigestFilter | undefined => {
  const incremental = incrementalOf(sync.spec)
  if (incremental === undefined || sync.source.type !== "postgres" || sync.state === undefined || !("postgres" in sync.state)) return undefined
  const { url, urlEnv, schema } = sync.state.postgres
  const stateUrl = url ?? fromEnv(env, urlEnv, "state.postgres.urlEnv")
  const state = connectionIdentity(stateUrl === undefined ? {} : { url: stateUrl }, env)
  const source = postgresConnectionIdentity(sync.source, sync.baseDir, env)
  if (state === undefined || source === undefined || state !== source) return undefined
  return snapshotDigestTable(schema, syncNamespace(sync.spec), incremental.key)
}
