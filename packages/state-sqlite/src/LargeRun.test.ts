import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { snapshotStoreLargeRun } from "@tablecast/incremental/testing"
import { afterAll, describe, it } from "vitest"
import { sqliteSnapshotStore } from "./SqliteSnapshotStore.ts"

const folder = mkdtempSync(join(tmpdir(), "tablecast-state-sqlite-large-"))
afterAll(() => rmSync(folder, { recursive: true, force: true }))

describe("a 200,000-key run", () => {
  it("keeps memory flat: working sets and pages stay in SQLite", () =>
    snapshotStoreLargeRun(sqliteSnapshotStore(join(folder, "state.db")), "sqlite"))
})
