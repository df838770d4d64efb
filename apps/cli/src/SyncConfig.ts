import type { IncrementalSyncSpec } from "@tablecast/incremental"
import type { ResolvedSync as ConfigResolvedSync } from "@tablecast/config/node"
import { sourceRegistryOf } from "@tablecast/config"
import { sourceAdapters, type SourceConfig } from "./sources/index.ts"

// The CLI's binding of @tablecast/config (schema, merge, checks) to the sources the CLI reads.

/** A sync ready to run, its source one of the CLI's. */
export type ResolvedSync = ConfigResolvedSync<SourceConfig, IncrementalSyncSpec>

export type { StateConfig, SyncOverrides } from "@tablecast/config"

/** The sources a config entry may name, for @tablecast/config's resolveSync. */
export const sourceRegistry = sourceRegistryOf<SourceConfig>(sourceAdapters)
