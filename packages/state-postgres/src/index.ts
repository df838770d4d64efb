export { postgresRunHistory, type PostgresRunHistoryOptions } from "./PostgresRunHistory.ts"
export {
  layer,
  POSTGRES_SCHEMA_VERSION,
  postgresSnapshotStore,
  type PostgresSnapshotStoreOptions,
  snapshotDigestTable
} from "./PostgresSnapshotStore.ts"
export { storeDatabase } from "./PostgresStoreDatabase.ts"
