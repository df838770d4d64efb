import { syncNamespace } from "@tablecast/core"
import { diffInDatabaseLayer, incrementalOf, type SnapshotStoreShape, type SourceInDatabaseOf } from "@tablecast/incremental"
import type { SourceConfig, SourceType } from "./sources/SourceRegistry.ts"
import type { ResolvedSync } from "./SyncConfig.ts"

type ConfigOf<Type extends SourceType> = Extract<SourceConfig, { readonly type: Type }>

/**
 * The sources that can diff in the database, by the type that names them: each loaded only when a
 * run asks (it loads the source's database driver).
 */
const sourcesInDatabase: { readonly [Type in SourceType]?: () => Promise<SourceInDatabaseOf<ConfigOf<Type>>> } = {
  postgres: async () => (await import("@tablecast/source-postgres/adapter")).postgresInDatabase
}

/**
 * The source of an incremental sync that can diff in the database: its source can, and its state
 * store is the same database as the same user (so the store can read the source's table and the
 * source the store's snapshot). Undefined otherwise: the diff stays on the client.
 */
export const diffInDatabaseSource = async (sync: ResolvedSync, store: SnapshotStoreShape, env: NodeJS.ProcessEnv) => {
  const incremental = incrementalOf(sync.spec)
  const load = sourcesInDatabase[sync.source.type] as (() => Promise<SourceInDatabaseOf<SourceConfig>>) | undefined
  if (incremental === undefined || load === undefined || store.inDatabase === undefined) return undefined
  const source = (await load())(sync.source, sync.baseDir, env)
  return diffInDatabaseLayer(source, store.inDatabase, syncNamespace(sync.spec), incremental.key)
}
