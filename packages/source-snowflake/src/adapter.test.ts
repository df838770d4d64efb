import { describe, expect, it } from "vitest"
import { snowflakeSource } from "./adapter.ts"

const parse = (entry: Record<string, unknown>) => snowflakeSource.schema.parse({ type: "snowflake", ...entry })

describe("snowflakeSource (the adapter)", () => {
  it("refuses a password or a key's passphrase in the entry", () => {
    expect(snowflakeSource.schema.safeParse({ type: "snowflake", table: "t", password: "x" }).success).toBe(false)
    expect(snowflakeSource.schema.safeParse({ type: "snowflake", table: "t", privateKeyPassphrase: "x" }).success).toBe(false)
  })

  it("names SNOWFLAKE_PASSWORD for a password left out of a URL", () => {
    expect(snowflakeSource.passwordVariable).toBe("SNOWFLAKE_PASSWORD")
  })

  it("names a proposed sync after the table (or 'query'), none for a connection alone", () => {
    expect(snowflakeSource.readsFrom(parse({ table: "SCORES" }))).toBe("SCORES")
    expect(snowflakeSource.readsFrom(parse({ query: "select 1" }))).toBe("query")
    expect(snowflakeSource.readsFrom(parse({}))).toBeUndefined()
  })

  it("writes a config entry without the password of its URL: the variable to set instead", () => {
    const { entry, urlMovedTo } = snowflakeSource.configEntry(parse({ table: "t", url: "snowflake://me:secret@acct/db" }), ".", ".")
    expect(urlMovedTo).toBe("SNOWFLAKE_URL")
    expect(entry).toMatchObject({ type: "snowflake", table: "t", urlEnv: "SNOWFLAKE_URL" })
    expect("url" in entry).toBe(false)
  })
})
