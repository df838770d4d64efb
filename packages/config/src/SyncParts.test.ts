import { describe, expect, it } from "vitest"
import { parseSyncParts } from "./SyncParts.ts"

const spec = { type: "track", event: "Churn Prediction", customerId: "customer_id" }

describe("parseSyncParts", () => {
  it("parses spec, pipeline and destination with their defaults", () => {
    const parsed = parseSyncParts({ spec, pipeline: { batchCount: 50 }, destination: { region: "eu" } })
    expect(parsed.spec.success && parsed.spec.data.event).toBe("Churn Prediction")
    expect(parsed.pipeline.success && parsed.pipeline.data.batchCount).toBe(50)
    expect(parsed.destination?.success && parsed.destination.data).toEqual({ region: "eu", writeKeyEnv: "SEGMENT_WRITE_KEY" })
  })

  it("leaves the destination out when the input has none", () => {
    expect(parseSyncParts({ spec, pipeline: undefined }).destination).toBeUndefined()
  })

  it("applies an app's pipeline defaults only to fields the user did not name", () => {
    const defaults = { maxRetryMillis: 60_000 }
    const byDefault = parseSyncParts({ spec, pipeline: undefined }, { pipelineDefaults: defaults })
    expect(byDefault.pipeline.success && byDefault.pipeline.data.maxRetryMillis).toBe(60_000)
    const named = parseSyncParts({ spec, pipeline: { maxRetryMillis: 5_000 } }, { pipelineDefaults: defaults })
    expect(named.pipeline.success && named.pipeline.data.maxRetryMillis).toBe(5_000)
    // Not an object: it fails as the user sent it, defaults not mixed in.
    expect(parseSyncParts({ spec, pipeline: [1] }, { pipelineDefaults: defaults }).pipeline.success).toBe(false)
  })

  it("reports each part's issues on its own", () => {
    const parsed = parseSyncParts({ spec: { type: "track" }, pipeline: { batchCount: "many" }, destination: { writeKey: "x" } })
    expect(parsed.spec.success).toBe(false)
    expect(parsed.pipeline.success).toBe(false)
    expect(parsed.destination?.success).toBe(false)
  })

  it("takes an extended spec schema", async () => {
    const z = await import("zod")
    const Extended = z.object({ event: z.string(), extra: z.number() })
    const parsed = parseSyncParts({ spec: { event: "x", extra: 1 }, pipeline: {} }, { spec: Extended })
    expect(parsed.spec.success && parsed.spec.data.extra).toBe(1)
  })
})
