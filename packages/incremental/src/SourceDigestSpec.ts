import type { IncrementalSpec } from "./IncrementalSpec.ts"
import { portableSha256Hex } from "@tablecast/core"
import type { IncrementalSyncSpec } from "./IncrementalSyncSpec.ts"

/**
 * The hash of what decides how a source row is classified: the mapping (event, ids, properties,
 * types), the key, the ignored and tolerant columns, and the source's own value settings. A source
 * digest is a valid "unchanged" only under the hash it was written with: a row the database holds
 * unchanged is unchanged for the client too only while the mapping is the same. The mode, the
 * guard, the removals and the thresholds are left out: they do not change an identical row's class.
 */
export const digestSpecHash = (spec: IncrementalSyncSpec, key: ReadonlyArray<string>, settings: IncrementalSpec, sourceSettings: string): string =>
  portableSha256Hex(
    JSON.stringify({
      v: 1,
      spec: { ...spec, key: undefined, incremental: undefined },
      key,
      ignore: settings.ignore ?? null,
      tolerant: Object.keys(settings.tolerance).sort(),
      source: sourceSettings
    })
  )
