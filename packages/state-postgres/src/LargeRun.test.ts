import { snapshotStoreLargeRun } from "@tablecast/incremental/testing"
import { afterAll, describe, it } from "vitest"
import { postgresSnapshotStore } from "./PostgresSnapshotStore.ts"
import { findTestServer } from "./TestServer.testkit.ts"

const server = await findTestServer()
const SCHEMA = `tablecast_state_large_test_${process.pid}`
afterAll(async () => {
  if (server !== undefined) {
    await server.admin(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`)
    await server.close()
  }
})

describe.skipIf(server === undefined)("a 200,000-key run", () => {
  it("keeps memory flat: working sets and pages stay in the database", () =>
    snapshotStoreLargeRun(postgresSnapshotStore({ connection: {}, schema: SCHEMA }), "postgres"))
})
