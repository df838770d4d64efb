import { sourcesFor } from "@tablecast/node/shared"
import { cliDrivers } from "./Drivers.ts"

// The sources the CLI reads: @tablecast/node's registry, shared with the Promise API. The CLI
// bundles the source packages, so a warehouse needs only its driver installed beside it.
export type { SourceConfig, SourceType } from "@tablecast/node/shared"
export { sourceTypes } from "@tablecast/node/shared"
export const { adapterOf, loadSourceAdapter, sourceRegistry } = sourcesFor(cliDrivers)
