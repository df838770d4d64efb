import { SecretSettingError } from "@tablecast/core"
import { describe, expect, it } from "vitest"
import { postgresConnectionIdentity, postgresInDatabase, postgresSource } from "./adapter.ts"

const parse = (entry: Record<string, unknown>) => postgresSource.schema.parse({ type: "postgres", ...entry })

describe("postgresSource (the adapter)", () => {
  it("names PGPASSWORD for a password left out of a URL, and reads on one thread anyway", () => {
    expect(postgresSource.passwordVariable).toBe("PGPASSWORD")
    expect(postgresSource.oneThread).toBeUndefined()
  })

  it("refuses a password in the entry: only passwordEnv names one", () => {
    expect(postgresSource.schema.safeParse({ type: "postgres", table: "t", password: "x" }).success).toBe(false)
    expect(parse({ table: "t", passwordEnv: "PW" }).passwordEnv).toBe("PW")
  })

  it("reads the variables the entry names, refusing one that is not set", () => {
    expect(postgresConnectionIdentity(parse({ table: "t", urlEnv: "DB_URL" }), ".", { DB_URL: "postgres://me@db:5433/sales" })).toBe(
      postgresConnectionIdentity(parse({ table: "t", url: "postgres://me@db:5433/sales" }), ".", {})
    )
    expect(() => postgresSource.layer(parse({ table: "t", passwordEnv: "PW" }), ".", {})).toThrow(SecretSettingError)
  })

  it("names a proposed sync after the table (or 'query'), none for a connection alone", () => {
    expect(postgresSource.readsFrom(parse({ table: "analytics.scores" }))).toBe("analytics.scores")
    expect(postgresSource.readsFrom(parse({ query: "select 1" }))).toBe("query")
    expect(postgresSource.readsFrom(parse({}))).toBeUndefined()
  })

  it("writes a config entry without the password of its URL: the variable to set instead", () => {
    const entry = postgresSource.configEntry(parse({ table: "t", url: "postgres://me:secret@db/sales" }), ".", ".")
    expect(entry).toEqual({ entry: expect.not.objectContaining({ url: expect.anything() }), urlMovedTo: "DATABASE_URL" })
    expect(entry.entry).toMatchObject({ type: "postgres", table: "t", urlEnv: "DATABASE_URL" })
    expect(postgresSource.configEntry(parse({ table: "t", url: "postgres://me@db/sales" }), ".", ".").urlMovedTo).toBeUndefined()
  })

  it("tells where it connects for a diff in the database, resolved as a run resolves it", () => {
    const side = postgresInDatabase(parse({ table: "t", urlEnv: "DB_URL" }), ".", { DB_URL: "postgres://me@db:5433/sales" })
    expect(side.database).toEqual({ user: "me", host: "db", port: 5433, database: "sales" })
    expect(postgresInDatabase(parse({ table: "t", url: "postgres://me@db:99999/sales" }), ".", {}).database).toBeUndefined()
  })
})
