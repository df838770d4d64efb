import { PipelineOptions } from "@tablecast/core"
import { SegmentTransportOptions } from "@tablecast/segment"
import * as Redacted from "effect/Redacted"
import { describe, expect, it } from "vitest"
import { deliveryFlags, specFlagNames } from "./SyncFlags.ts"

/** The number a flag's help states as its default: "(default 100, …)", "(…, default 30000)". */
const statedDefault = (summary: string | undefined): number | undefined => {
  const match = /\(.*?default (\d+)[,)]/.exec(summary ?? "")
  return match === null ? undefined : Number(match[1])
}

describe("the defaults that --help states", () => {
  it("are the defaults the pipeline and the transport use", () => {
    const pipeline = PipelineOptions.parse({}) as Record<string, unknown>
    const flags = deliveryFlags as Record<string, { summary?: string }>
    const checked: Array<string> = []
    for (const [field, flag] of Object.entries(specFlagNames)) {
      const stated = statedDefault(flags[flag]?.summary)
      if (stated === undefined || !(field in pipeline)) continue
      expect([flag, stated]).toEqual([flag, pipeline[field]])
      checked.push(flag)
    }
    expect(checked).toEqual(
      expect.arrayContaining(["batch-count", "flush-interval", "queue-capacity", "max-in-flight", "max-rps", "max-retry-time", "drain-timeout"])
    )
    // No cap on attempts unless one is given: the time budget binds.
    expect(pipeline.maxAttempts).toBeUndefined()
    expect(flags["max-attempts"]?.summary).toMatch(/no cap by default/)
    const transport = SegmentTransportOptions.parse({ writeKey: Redacted.make("wk_test_4f9a8c1e2b7d") })
    expect(statedDefault(flags.timeout?.summary)).toBe(transport.timeoutMillis)
  })
})
