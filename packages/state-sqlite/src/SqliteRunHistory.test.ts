import { mkdtemp } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import * as Effect from "effect/Effect"
import { contractRecord, runHistoryContract } from "@tablecast/core/testing"
import { describe, expect, it } from "vitest"
import { sqliteRunHistory } from "./SqliteRunHistory.ts"
import { sqliteSnapshotStore } from "./SqliteSnapshotStore.ts"

const stateFile = async () => path.join(await mkdtemp(path.join(tmpdir(), "tablecast-sqlite-history-")), ".tablecast", "state.db")

describe("sqliteRunHistory: the run history contract (node:sqlite)", () => {
  for (const c of runHistoryContract) it(c.name, () => c.run(async (options) => sqliteRunHistory(await stateFile(), options)))
})

describe("sqliteRunHistory beside the snapshot", () => {
  it("lives in the snapshot's file without disturbing it: the store still opens, and both read back", async () => {
    const file = await stateFile()
    const history = sqliteRunHistory(file)
    // No file yet: nothing listed, and nothing created by reading.
    expect(await history.list()).toEqual([])
    const store = sqliteSnapshotStore(file)
    await Effect.runPromise(Effect.scoped(store.open("churn")))
    const record = contractRecord("2026-11-03T10:00:00.000Z")
    await history.append(record)
    await Effect.runPromise(Effect.scoped(store.open("churn")))
    expect(await sqliteRunHistory(file).get(record.id)).toEqual(record)
  })

  it("a snapshot file made before the history moved in lists no run", async () => {
    const file = await stateFile()
    await Effect.runPromise(Effect.scoped(sqliteSnapshotStore(file).open("churn")))
    expect(await sqliteRunHistory(file).list()).toEqual([])
    expect(await sqliteRunHistory(file).get("x")).toBeUndefined()
  })
})
