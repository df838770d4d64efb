// Node only: reads config files (node:fs), resolves paths (node:path) and checks a destination with
// the Segment transport's options. The edge imports "@tablecast/config" instead.
export * from "./index.ts"
export { deliveryOverrides, type FlagValues, incrementalOverrides, mappingOverrides, specFlagNames } from "./FlagOverrides.ts"
export { loadConfigFile } from "./LoadConfigFile.ts"
export {
  type ConfigEntry,
  resolveSync,
  type ResolvedSync,
  type ResolveSyncInput,
  type TrackingPlanSetting,
  warningsBesideRejects
} from "./ResolveSync.ts"
export { type DbtModelRef, loadDbtManifest, manifestPath, withDbtRelation } from "./dbt/DbtProject.ts"
