import { assert, describe, it } from "@effect/vitest"
import { storeDatabase } from "./PostgresStoreDatabase.ts"

describe("storeDatabase", () => {
  it("resolves a URL, then the PG* variables, then the defaults, as the Postgres source does", () => {
    assert.deepStrictEqual(storeDatabase({ connectionString: "postgres://me:secret@db:5433/sales" }, {}), {
      user: "me",
      host: "db",
      port: 5433,
      database: "sales"
    })
    assert.deepStrictEqual(storeDatabase({}, { PGHOST: "pg", PGPORT: "6000", PGUSER: "ann", PGDATABASE: "dw" }), {
      user: "ann",
      host: "pg",
      port: 6000,
      database: "dw"
    })
    // The URL wins over the variables; what it leaves out comes from them.
    assert.deepStrictEqual(storeDatabase({ connectionString: "postgres://db/sales" }, { PGUSER: "ann", PGPORT: "6000" }), {
      user: "ann",
      host: "db",
      port: 6000,
      database: "sales"
    })
    assert.deepStrictEqual(storeDatabase(undefined, { USER: "local" }), { user: "local", host: "localhost", port: 5432, database: "local" })
  })

  it("is unknown when the settings do not resolve", () => {
    assert.isUndefined(storeDatabase({}, { PGPORT: "70000" }))
    assert.isUndefined(storeDatabase({ connectionString: "postgres://db/sales?sslmode=sometimes" }, {}))
  })
})
