export { sqliteRunHistory, type SqliteRunHistoryOptions } from "./SqliteRunHistory.ts"
export { layer, SQLITE_SCHEMA_VERSION, sqliteSnapshotStore, type SqliteSnapshotStoreOptions } from "./SqliteSnapshotStore.ts"
