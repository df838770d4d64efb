import { ConfigError } from "@tablecast/config"
import { adapterOf } from "./sources/SourceRegistry.ts"
import type { ResolvedSync } from "./SyncConfig.ts"

/**
 * `--low-memory`: memory before speed. The V8 flags it also brings are chosen before the command
 * runs (bin/heapFlags.js); here, the source reads on one thread where its adapter can read on
 * another (a CSV file's worker). Other sources read on one thread anyway.
 */
export const applyLowMemory = async (sync: ResolvedSync, worker: boolean | undefined): Promise<ResolvedSync> => {
  if (worker === true) throw new ConfigError({ message: "--low-memory reads on one thread: drop --worker", flag: "worker" })
  const adapter = await adapterOf(sync.source)
  return adapter.oneThread === undefined ? sync : { ...sync, source: adapter.oneThread(sync.source) }
}
