import * as Layer from "effect/Layer"
import { describe, expect, it } from "vitest"
import { type DatabaseIdentity, diffInDatabaseLayer, sameDatabase, type SnapshotInDatabase, type SourceInDatabase } from "./DiffInDatabase.ts"
import type { SnapshotDigestTable } from "./SourceDigests.ts"

const db = (user: string, database = "dw"): DatabaseIdentity => ({ user, host: "db", port: 5432, database })

const store = (database: DatabaseIdentity | undefined): SnapshotInDatabase => ({
  database,
  digestTable: (sync, key) => ({ schema: "tablecast", table: "snapshot", syncColumn: "sync", digestColumn: "source_digest", sync, key })
})

/** A source side that records the snapshot it was asked to read against. */
const source = (database: DatabaseIdentity | undefined) => {
  const asked: Array<SnapshotDigestTable> = []
  const side: SourceInDatabase = {
    database,
    layer: (snapshot) => {
      asked.push(snapshot)
      // Never built here: the test only checks which snapshot the source was asked for.
      return Layer.empty as unknown as ReturnType<SourceInDatabase["layer"]>
    }
  }
  return { side, asked }
}

describe("sameDatabase", () => {
  it("is the same database as the same user, and never an unknown one", () => {
    expect(sameDatabase(db("ann"), db("ann"))).toBe(true)
    expect(sameDatabase(db("ann"), db("bob"))).toBe(false)
    expect(sameDatabase(db("ann"), db("ann", "other"))).toBe(false)
    expect(sameDatabase(db("ann"), { ...db("ann"), port: 5433 })).toBe(false)
    expect(sameDatabase(undefined, db("ann"))).toBe(false)
    expect(sameDatabase(undefined, undefined)).toBe(false)
  })
})

describe("diffInDatabaseLayer", () => {
  it("gives the source read against the store's digest table when both reach the same database", () => {
    const { side, asked } = source(db("ann"))
    expect(diffInDatabaseLayer(side, store(db("ann")), "churn", ["customer_id"])).toBeDefined()
    expect(asked).toEqual([
      { schema: "tablecast", table: "snapshot", syncColumn: "sync", digestColumn: "source_digest", sync: "churn", key: ["customer_id"] }
    ])
  })

  it("is undefined (the diff stays on the client) otherwise", () => {
    const { side, asked } = source(db("ann"))
    expect(diffInDatabaseLayer(side, store(db("bob")), "churn", ["id"])).toBeUndefined()
    expect(diffInDatabaseLayer(side, store(undefined), "churn", ["id"])).toBeUndefined()
    expect(diffInDatabaseLayer(side, undefined, "churn", ["id"])).toBeUndefined()
    expect(diffInDatabaseLayer(undefined, store(db("ann")), "churn", ["id"])).toBeUndefined()
    expect(asked).toEqual([])
  })
})
