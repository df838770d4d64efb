import type { StateConfig } from "./ConfigSchema.ts"
import type { NotifyOverrides } from "./NotifySettings.ts"

/** What the command line says about a sync; each field overrides the config entry's. */
export interface SyncOverrides {
  /** A whole source, replacing the config entry's. */
  readonly source?: Record<string, unknown>
  /** Fields merged into the config entry's source (`--table`, `--query`). */
  readonly sourcePatch?: Record<string, unknown>
  readonly spec: Record<string, unknown>
  readonly destination: Record<string, unknown>
  readonly pipeline: Record<string, unknown>
  readonly rejects?: string
  /** `--tracking-plan` (absolute) and `--tracking-plan-mode`, over the config entry's. */
  readonly trackingPlan?: string
  readonly trackingPlanMode?: string
  /** `--warnings` (absolute): the file of rows sent with tracking-plan warnings. */
  readonly warnings?: string
  readonly writeKey?: string
  /** Key columns (`--key`): they make the sync incremental. */
  readonly key?: ReadonlyArray<string>
  /** Fields merged into the sync's `incremental` settings (`--mode`, `--tolerance`, ...). */
  readonly incrementalPatch?: Record<string, unknown>
  readonly state?: StateConfig
  /** Alerts (`--notify`, ...), over the config entry's `notify`. */
  readonly notify?: NotifyOverrides
  /** `--dbt-model` / `--dbt-project`, over the config entry's `dbt` (project absolute). */
  readonly dbt?: { readonly model?: string; readonly project?: string }
}

/** The command line's incremental settings over the config entry's, field by field (the guard too). */
export const mergeIncremental = (fromConfig: unknown, patch: Record<string, unknown>): unknown => {
  if (fromConfig === false) return fromConfig
  const base = typeof fromConfig === "object" && fromConfig !== null ? (fromConfig as Record<string, unknown>) : {}
  const guard = { ...((base.guard ?? {}) as object), ...((patch.guard ?? {}) as object) }
  const removed = { ...((base.removed ?? {}) as object), ...((patch.removed ?? {}) as object) }
  return {
    ...base,
    ...patch,
    ...(Object.keys(guard).length === 0 ? {} : { guard }),
    ...(Object.keys(removed).length === 0 ? {} : { removed })
  }
}
