import { describe, expect, it } from "vitest"
import * as z from "zod"
import { ConfigError } from "./ConfigError.ts"
import { deliveryOverrides, specFlagNames } from "./FlagOverrides.ts"
import { resolveSync } from "./ResolveSync.ts"
import { sourceRegistryOf } from "./SourceRegistry.ts"

const sources = sourceRegistryOf([{ type: "csv", schema: z.object({ type: z.literal("csv"), path: z.string() }).strict() }])
const base = { source: { type: "csv", path: "scores.csv" }, event: "Churn Scored", customerId: "customer_id" }

const resolve = (value: Record<string, unknown> | undefined, overrides: Record<string, unknown> = {}) =>
  resolveSync({
    ...(value === undefined ? {} : { entry: { name: "scores", value, file: "/project/tablecast.config.json" } }),
    overrides: { spec: {}, destination: {}, pipeline: {}, ...overrides },
    sources,
    env: {},
    cwd: "/elsewhere",
    flagOf: specFlagNames,
    needsWriteKey: false
  })

describe("a sync's tracking plan", () => {
  it("is read from the config entry, relative to the config file, reject by default", async () => {
    expect((await resolve({ ...base, trackingPlan: "plans/churn.json" })).trackingPlan).toEqual({
      file: "/project/plans/churn.json",
      mode: "reject"
    })
    expect((await resolve({ ...base, trackingPlan: "p.json", trackingPlanMode: "warn" })).trackingPlan?.mode).toBe("warn")
    expect((await resolve(base)).trackingPlan).toBeUndefined()
  })

  it("takes --tracking-plan (from the current folder) and --tracking-plan-mode over the entry", async () => {
    const overrides = deliveryOverrides({ "tracking-plan": "plan.json", "tracking-plan-mode": "warn" })
    expect(overrides.trackingPlan).toMatch(/plan\.json$/)
    const sync = await resolve({ ...base, trackingPlan: "other.json" }, { trackingPlan: "/here/plan.json", trackingPlanMode: "warn" })
    expect(sync.trackingPlan).toEqual({ file: "/here/plan.json", mode: "warn" })
  })

  it("refuses an unknown mode, and a mode without a plan", async () => {
    const badMode = await resolve({ ...base, trackingPlan: "p.json", trackingPlanMode: "block" }).catch((error: unknown) => error)
    expect(badMode).toBeInstanceOf(ConfigError)
    expect((badMode as ConfigError).message).toMatch(/^syncs\.scores\.trackingPlanMode: /)
    const noPlan = await resolve(undefined, {
      source: base.source,
      spec: { event: "Churn Scored", customerId: "customer_id" },
      trackingPlanMode: "warn"
    }).catch((error: unknown) => error)
    expect((noPlan as ConfigError).message).toBe("--tracking-plan-mode needs a tracking plan: give --tracking-plan <plan.json>")
  })

  it("in warn mode writes its warnings to --warnings / warnings, else beside the rejects file; never in reject mode", async () => {
    const warn = { ...base, trackingPlan: "p.json", trackingPlanMode: "warn" }
    expect((await resolve({ ...warn, warnings: "out/w.jsonl" })).trackingPlan?.warnings).toBe("/project/out/w.jsonl")
    expect((await resolve({ ...warn, rejects: "out/rejects.jsonl" })).trackingPlan?.warnings).toBe("/project/out/rejects.warnings.jsonl")
    expect((await resolve({ ...warn, rejects: "out/bad-rows" })).trackingPlan?.warnings).toBe("/project/out/bad-rows.warnings.jsonl")
    expect((await resolve(warn)).trackingPlan?.warnings).toBeUndefined()
    expect((await resolve({ ...base, trackingPlan: "p.json", rejects: "r.jsonl", warnings: "w.jsonl" })).trackingPlan?.warnings).toBeUndefined()
    const overrides = deliveryOverrides({ warnings: "mine.ndjson" })
    expect(overrides.warnings).toMatch(/mine\.ndjson$/)
    expect((await resolve({ ...warn, warnings: "w.jsonl" }, { warnings: "/here/mine.ndjson" })).trackingPlan?.warnings).toBe("/here/mine.ndjson")
  })
})
