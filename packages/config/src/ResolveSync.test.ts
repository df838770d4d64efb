import { describe, expect, it } from "vitest"
import * as z from "zod"
import { ConfigError } from "./ConfigError.ts"
import { specFlagNames } from "./FlagOverrides.ts"
import { resolveSync } from "./ResolveSync.ts"
import { sourceRegistryOf } from "./SourceRegistry.ts"

const CsvEntry = z.object({ type: z.literal("csv"), path: z.string(), delimiter: z.string().optional() }).strict()
const PostgresEntry = z
  .object({ type: z.literal("postgres"), url: z.string().optional(), table: z.string().optional(), query: z.string().optional() })
  .strict()
const sources = sourceRegistryOf<z.output<typeof CsvEntry> | z.output<typeof PostgresEntry>>([
  { type: "csv", schema: CsvEntry },
  { type: "postgres", schema: PostgresEntry }
])

const entry = (value: Record<string, unknown>) => ({ name: "scores", value, file: "/project/tablecast.config.json" })
const base = { source: { type: "csv", path: "scores.csv" }, event: "Churn Scored", customerId: "customer_id" }
const noOverrides = { spec: {}, destination: {}, pipeline: {} }

const resolve = (value: Record<string, unknown>, overrides: Record<string, unknown> = {}, needsWriteKey = false) =>
  resolveSync({
    entry: entry(value),
    overrides: { ...noOverrides, ...overrides },
    sources,
    env: {},
    cwd: "/elsewhere",
    flagOf: specFlagNames,
    needsWriteKey
  })

const failure = async (promise: Promise<unknown>): Promise<ConfigError> => {
  const error = await promise.then(
    () => undefined,
    (error: unknown) => error
  )
  expect(error).toBeInstanceOf(ConfigError)
  return error as ConfigError
}

describe("resolveSync", () => {
  it("merges the command line over a config entry, paths relative to the config file", async () => {
    const sync = await resolve(base, { spec: { event: "Churn Predicted" }, pipeline: { batchCount: 10 } })
    expect(sync.name).toBe("scores")
    expect(sync.spec.event).toBe("Churn Predicted")
    expect(sync.spec.name).toBe("scores")
    expect(sync.pipeline.batchCount).toBe(10)
    expect(sync.source).toEqual({ type: "csv", path: "scores.csv" })
    expect(sync.writeKeyEnv).toBe("SEGMENT_WRITE_KEY")
    expect(sync.baseDir).toBe("/project")
  })

  it("takes the config file's batch profile, with a --batch-count over it winning, and names a bad one by field and flag", async () => {
    const small = await resolve({ ...base, pipeline: { batchProfile: "small" } })
    expect(small.pipeline).toMatchObject({ batchProfile: "small", batchCount: 100, flushIntervalMillis: 500 })
    const counted = await resolve({ ...base, pipeline: { batchProfile: "small" } }, { pipeline: { batchCount: 400 } })
    expect(counted.pipeline).toMatchObject({ batchProfile: "small", batchCount: 400 })
    const fromFlag = await resolve(base, { pipeline: { batchProfile: "small" } })
    expect(fromFlag.pipeline.batchCount).toBe(100)
    expect((await resolve(base)).pipeline).toMatchObject({ batchProfile: "bulk", batchCount: 2_500, batchBytes: 475_000 })
    const bad = await failure(resolve({ ...base, pipeline: { batchProfile: "tiny" } }))
    expect(bad.message).toMatch(/syncs\.scores\.pipeline\.batchProfile \/ --batch-profile: /)
  })

  it("patches --table into the entry's warehouse source, replacing its query", async () => {
    const sync = await resolve({ ...base, source: { type: "postgres", query: "select 1" } }, { sourcePatch: { table: "scores" } })
    expect(sync.source).toEqual({ type: "postgres", table: "scores" })
  })

  it("refuses secrets in the entry, naming the field", async () => {
    const key = await failure(resolve({ ...base, destination: { writeKey: "wk_secret" } }))
    expect(key.field).toBe("syncs.scores.destination.writeKey")
    expect(key.message).not.toContain("wk_secret")
    const url = await failure(resolve({ ...base, source: { type: "postgres", url: "postgres://u:pw@host/db" } }))
    expect(url.field).toBe("syncs.scores.source.url")
    expect(url.message).not.toContain("pw@")
  })

  it("takes the sending limits from flags and config, and names both flags when the floor is over the ceiling", async () => {
    const sync = await resolve({ ...base, pipeline: { maxRps: 20 } }, { pipeline: { minInFlight: 4, maxInFlight: 8 } })
    expect(sync.pipeline).toMatchObject({ maxRps: 20, minInFlight: 4, maxInFlight: 8 })
    const defaults = await resolve(base)
    expect(defaults.pipeline).toMatchObject({ maxRps: 50, maxInFlight: 32 })
    const error = await failure(resolve(base, { pipeline: { minInFlight: 8, maxInFlight: 4 } }))
    expect(error.message).toContain("--min-in-flight (minInFlight, 8) must be at most --max-in-flight (maxInFlight, 4)")
    const over = await failure(resolve(base, { pipeline: { maxRps: 20_000 } }))
    expect(over.message).toMatch(/--max-rps/)
  })

  it("names the field and the flag of a spec issue", async () => {
    const error = await failure(resolve({ ...base, event: undefined }))
    expect(error.message).toMatch(/^syncs\.scores\.event \/ --event: /)
    expect(error.field).toBe("syncs.scores.event")
    expect(error.flag).toBe("event")
  })

  it("reports the source, destination and rejects issues of an entry together", async () => {
    const error = await failure(
      resolve({ ...base, source: { type: "csv", path: "a.csv", delimeter: ";" }, destination: { region: "mars" }, rejects: "" })
    )
    expect(error.message.split("\n")).toEqual([
      "syncs.scores.source.delimeter: unknown field",
      expect.stringMatching(/^syncs\.scores\.destination\.region: /),
      expect.stringMatching(/^syncs\.scores\.rejects: /)
    ])
  })

  it("names the known source types when an entry names another, or none", async () => {
    const other = await failure(resolve({ ...base, source: { type: "excel", path: "a.xlsx" } }))
    expect(other.message).toBe("syncs.scores.source.type: Invalid discriminator value. Expected 'csv' | 'postgres'")
    const none = await failure(resolve({ ...base, source: { path: "a.csv" } }))
    expect(none.message).toBe("syncs.scores.source.type: Invalid discriminator value. Expected 'csv' | 'postgres'")
    const notAnObject = await failure(resolve({ ...base, source: "a.csv" }))
    expect(notAnObject.message).toBe("syncs.scores.source: Invalid input: expected object, received string")
  })

  it("asks for a write key only when one is needed, and keeps it redacted", async () => {
    const error = await failure(resolve(base, {}, true))
    expect(error.flag).toBe("write-key")
    const sync = await resolve(base, { writeKey: " wk_123 " }, true)
    expect(String(sync.writeKey)).not.toContain("wk_123")
  })

  it("checks a write key with segment's one rule, and takes a blank one for none", async () => {
    const colon = await failure(resolve(base, { writeKey: "wk:123" }, true))
    expect(colon.message).toBe("destination.writeKey: the write key holds a colon or a control character")
    expect(colon.field).toBe("destination.writeKey")
    expect((await resolve(base, { writeKey: "  " }, false)).writeKey).toBeUndefined()
    expect((await failure(resolve(base, { writeKey: "  " }, true))).message).toMatch(/^no write key: set SEGMENT_WRITE_KEY/)
    const endpoint = await failure(resolve(base, { writeKey: "wk_123", destination: { region: "eu", endpoint: "http://127.0.0.1:14318" } }, true))
    expect(endpoint.message).toBe("destination.endpoint: give a region or an endpoint, not both")
  })
})
