export { layer, POSTGRES_SCHEMA_VERSION, postgresSnapshotStore, type PostgresSnapshotStoreOptions, snapshotDigestTable, snapshotTableOf } from "./PostgresSnapshotStore.ts"
