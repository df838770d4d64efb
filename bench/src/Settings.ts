import type { PipelineOptionsInput } from "@tablecast/core"

/** The two tablecast settings the benchmark compares. */
export const tablecastSettings = {
  /** Segment's libraries' batching: 100 messages per batch, flushed every 0.5 s. */
  default: {},
  /** As much per request as Segment takes: 2,500 messages, 475,000 bytes. */
  bulk: { batchCount: 2_500, batchBytes: 475_000 }
} as const satisfies Record<string, PipelineOptionsInput>

export type TablecastSettings = keyof typeof tablecastSettings

export const settingsFor = (name: string): PipelineOptionsInput => {
  if (name !== "default" && name !== "bulk") throw new Error(`unknown settings "${name}": default or bulk`)
  return tablecastSettings[name]
}

/** The same settings as CLI flags. */
export const cliFlagsFor = (name: TablecastSettings): ReadonlyArray<string> =>
  name === "bulk" ? ["--batch-count", "2500", "--batch-bytes", "475000"] : []
