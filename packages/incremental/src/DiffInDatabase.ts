import type { RowSource, SourceEnv, SourceError } from "@tablecast/core"
import type * as Layer from "effect/Layer"
import type { SnapshotDigestTable, SourceDigests } from "./SourceDigests.ts"

/**
 * Where a connection reaches, as its settings resolve: a database on a server, as a user. Two
 * equal identities read the same tables with the same rights.
 */
export interface DatabaseIdentity {
  readonly user: string
  readonly host: string
  readonly port: number
  readonly database: string
}

/** Whether two connections reach the same database as the same user; false when either is unknown. */
export const sameDatabase = (a: DatabaseIdentity | undefined, b: DatabaseIdentity | undefined): boolean =>
  a !== undefined && b !== undefined && a.user === b.user && a.host === b.host && a.port === b.port && a.database === b.database

/** The store's side of a diff in the database: where it is, and where it keeps a sync's digests. */
export interface SnapshotInDatabase {
  /** Undefined when its settings do not resolve (then no diff runs in the database). */
  readonly database: DatabaseIdentity | undefined
  readonly digestTable: (sync: string, key: ReadonlyArray<string>) => SnapshotDigestTable
}

/** The source's side of a diff in the database: where it reads, and its rows filtered by a snapshot there. */
export interface SourceInDatabase {
  /** Undefined when its settings do not resolve (then no diff runs in the database). */
  readonly database: DatabaseIdentity | undefined
  /** The source (`RowSource`) and its digests (`SourceDigests`) read against the snapshot's digests. */
  readonly layer: (snapshot: SnapshotDigestTable) => Layer.Layer<RowSource | SourceDigests, SourceError>
}

/** What a source type that can diff in the database offers, for one of its config entries. */
export type SourceInDatabaseOf<Config> = (config: Config, baseDir: string, env: SourceEnv) => SourceInDatabase

/**
 * The source's layer for a run that diffs in the database: only when the store and the source reach
 * the same database as the same user (the store can read the source's rows, the source the
 * store's snapshot). Undefined otherwise: the run reads every row and diffs on the client.
 */
export const diffInDatabaseLayer = (
  source: SourceInDatabase | undefined,
  store: SnapshotInDatabase | undefined,
  sync: string,
  key: ReadonlyArray<string>
): Layer.Layer<RowSource | SourceDigests, SourceError> | undefined =>
  source === undefined || store === undefined || !sameDatabase(source.database, store.database)
    ? undefined
    : source.layer(store.digestTable(sync, key))
