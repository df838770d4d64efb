import { ConfigError } from "@tablecast/config"
import { describe, expect, it } from "vitest"
import { heapFlags, wantsLowMemory } from "../bin/heapFlags.js"
import { applyLowMemory } from "./LowMemory.ts"
import type { ResolvedSync } from "./SyncConfig.ts"

const csvSync = { source: { type: "csv", path: "/data/scores.csv", worker: true } } as unknown as ResolvedSync
const postgresSync = { source: { type: "postgres", table: "scores" } } as unknown as ResolvedSync

describe("--low-memory", () => {
  it("reads a CSV file on one thread, whatever the config said; other sources are left as they are", async () => {
    expect((await applyLowMemory(csvSync, undefined)).source).toMatchObject({ type: "csv", worker: false })
    expect((await applyLowMemory(csvSync, false)).source).toMatchObject({ worker: false })
    expect(await applyLowMemory(postgresSync, undefined)).toBe(postgresSync)
    await expect(applyLowMemory(csvSync, true)).rejects.toThrow(ConfigError)
  })

  it("is seen among the flags, not after `--` or inside another word", () => {
    expect(wantsLowMemory(["sync", "-f", "a.csv", "--low-memory"])).toBe(true)
    expect(wantsLowMemory(["sync", "-f", "a.csv"])).toBe(false)
    expect(wantsLowMemory(["sync", "--", "--low-memory"])).toBe(false)
    expect(wantsLowMemory(["sync", "--low-memory-please"])).toBe(false)
  })
})

describe("heapFlags", () => {
  const base = { args: ["sync"], env: {}, execArgv: [], v8Major: 13 }

  it("starts Node with the speed flags, or the smaller ones with --low-memory", () => {
    expect(heapFlags(base)).toEqual(["--max-semi-space-size=4", "--heap-growing-percent=50"])
    expect(heapFlags({ ...base, args: ["sync", "--low-memory"] })).toEqual(["--max-semi-space-size=2", "--heap-growing-percent=30"])
  })

  it("leaves a flag the user set to the user, in Node's options or NODE_OPTIONS, spelled either way", () => {
    expect(heapFlags({ ...base, execArgv: ["--max-semi-space-size=16"] })).toEqual(["--heap-growing-percent=50"])
    expect(heapFlags({ ...base, env: { NODE_OPTIONS: "--heap_growing_percent=20" } })).toEqual(["--max-semi-space-size=4"])
  })

  it("takes TABLECAST_NODE_FLAGS instead of its own ('' for none), and adds none on a V8 it does not know", () => {
    expect(heapFlags({ ...base, env: { TABLECAST_NODE_FLAGS: "--max-semi-space-size=4" } })).toEqual(["--max-semi-space-size=4"])
    expect(heapFlags({ ...base, args: ["sync", "--low-memory"], env: { TABLECAST_NODE_FLAGS: "" } })).toEqual([])
    expect(heapFlags({ ...base, v8Major: 14 })).toEqual([])
  })
})
