export { layer, POSTGRES_SCHEMA_VERSION, postgresSnapshotStore, type PostgresSnapshotStoreOptions, snapshotTableOf } from "./PostgresSnapshotStore.ts"
