// The sources the CLI reads: @tablecast/node's registry, shared with the Promise API.
export { adapterOf, loadSourceAdapter, type SourceConfig, sourceRegistry, type SourceType, sourceTypes } from "@tablecast/node/shared"
