export { ExitCode, exitCodeOf } from "./ExitCode.ts"
export { ConfigFile, Destination, type ResolvedSync } from "./SyncConfig.ts"
export { SourceConfig } from "./sources/index.ts"
