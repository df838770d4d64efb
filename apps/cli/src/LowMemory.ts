import { ConfigError } from "@tablecast/config"
import type { ResolvedSync } from "./SyncConfig.ts"

/**
 * `--low-memory`: memory before speed. The V8 flags it also brings are chosen before the command
 * runs (bin/heapFlags.js); here, a CSV file is read on one thread, without the worker, whose heap
 * and the copies of rows between threads cost about 10 MiB. Other sources read on one thread
 * anyway.
 */
export const applyLowMemory = (sync: ResolvedSync, worker: boolean | undefined): ResolvedSync => {
  if (worker === true) throw new ConfigError({ message: "--low-memory reads on one thread: drop --worker", flag: "worker" })
  if (sync.source.type !== "csv") return sync
  return { ...sync, source: { ...sync.source, worker: false } }
}
