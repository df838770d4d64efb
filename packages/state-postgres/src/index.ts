export { layer, POSTGRES_SCHEMA_VERSION, postgresSnapshotStore, type PostgresSnapshotStoreOptions } from "./PostgresSnapshotStore.ts"
