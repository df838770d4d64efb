import type { IncrementalSyncSpec } from "@tablecast/incremental"
import type { ResolvedSync as ConfigResolvedSync } from "@tablecast/config/node"
import type { SourceRegistry } from "@tablecast/config"
import { type SourceConfig, sourceRegistry as sources } from "./sources/SourceRegistry.ts"

// The CLI's binding of @tablecast/config (schema, merge, checks) to the sources the CLI reads.

/** A sync ready to run, its source one of the CLI's. */
export type ResolvedSync = ConfigResolvedSync<SourceConfig, IncrementalSyncSpec>

export type { StateConfig, SyncOverrides } from "@tablecast/config"

/** The sources a config entry may name, for @tablecast/config's resolveSync. */
export const sourceRegistry: SourceRegistry<SourceConfig> = sources
