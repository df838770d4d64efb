export { ExitCode, exitCodeOf } from "./ExitCode.ts"
export { ConfigFile, Destination } from "@tablecast/config"
export type { ResolvedSync } from "./SyncConfig.ts"
export { loadSourceAdapter, type SourceConfig, sourceRegistry, sourceTypes } from "./sources/SourceRegistry.ts"
