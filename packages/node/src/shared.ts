// What the CLI and the Promise API share, on Node: the sources a sync can read, by type, and the
// snapshot store of an incremental sync, and the packages a warehouse needs installed. Not the Promise API itself (that is the package's root).
export { type Driver, DriverMissingError, type DriverSet, isNotFound, withDriver } from "./Drivers.ts"
export { type SourceConfig, type Sources, type SourceType, sourcesFor, sourceTypes } from "./SourceRegistry.ts"
export { defaultStateFile, runHistoryOfState, snapshotStoreOf } from "./StateStore.ts"
