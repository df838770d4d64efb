// What the CLI and the Promise API share, on Node: the sources a sync can read, by type, and the
// snapshot store of an incremental sync. Not the Promise API itself (that is the package's root).
export { adapterOf, configSources, loadSourceAdapter, type SourceConfig, sourceRegistry, type SourceType, sourceTypes } from "./SourceRegistry.ts"
export { defaultStateFile, snapshotStoreOf } from "./StateStore.ts"
