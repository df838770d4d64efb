// The edge-safe part: no node: import here (the edge bundles it). Reading files and the command
// line's flags are in "@tablecast/config/node".
export { ConfigError, fieldError, flagError } from "./ConfigError.ts"
export { ConfigFile, DbtConfig, Destination, EntryFrameKeys, HistoryConfig, StateConfig } from "./ConfigSchema.ts"
export { refuseSecrets, urlHoldsPassword } from "./SecretFields.ts"
export { type SourceEntryAdapter, sourceEntrySchema, type SourceRegistry, sourceRegistryOf } from "./SourceRegistry.ts"
export { mergeIncremental, type SyncOverrides } from "./SyncOverrides.ts"
export { type ParsedSyncParts, parseSyncParts, type SyncPartsInput, type SyncPartsOptions } from "./SyncParts.ts"
export { type ColumnFacts, proposeSync, type SyncProposal, type TableFacts } from "./SyncProposal.ts"
export { NotifyConfig, type NotifyOverrides, resolveNotify, triggerList } from "./NotifySettings.ts"
export {
  DBT_MANIFEST_VERSIONS,
  type DbtColumn,
  type DbtManifest,
  type DbtManifestVersion,
  type DbtModel,
  findDbtModel,
  parseDbtManifest
} from "./dbt/DbtManifest.ts"
export { type DbtRelationRules, dbtRelationRules, type DbtSourceFields, dbtSourceFields, splitRelationName } from "./dbt/DbtRelation.ts"
export { withDbtColumnDocs } from "./dbt/DbtColumnDocs.ts"
