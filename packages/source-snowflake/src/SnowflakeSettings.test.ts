import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import { describe, expect, it } from "vitest"
import { resolveSettings } from "./SnowflakeSettings.ts"
import { SnowflakeConnectionOptions } from "./SnowflakeSourceOptions.ts"

const resolve = (options: Record<string, unknown>, env: Record<string, string> = {}) =>
  Effect.runPromiseExit(resolveSettings(SnowflakeConnectionOptions.parse(options), env))

describe("resolveSettings", () => {
  it("reads the SNOWFLAKE_* variables, with options winning", async () => {
    const exit = await resolve(
      { warehouse: "LOADING" },
      {
        SNOWFLAKE_ACCOUNT: "myorg-acct",
        SNOWFLAKE_USER: "svc",
        SNOWFLAKE_PASSWORD: "p4ssw0rd-from-env",
        SNOWFLAKE_WAREHOUSE: "TRANSFORMING",
        SNOWFLAKE_DATABASE: "ANALYTICS",
        SNOWFLAKE_SCHEMA: "SEGMENT",
        SNOWFLAKE_ROLE: "REPORTER"
      }
    )
    if (!Exit.isSuccess(exit)) throw new Error(String(exit.cause))
    expect(exit.value).toMatchObject({ account: "myorg-acct", user: "svc", authenticator: "SNOWFLAKE", warehouse: "LOADING", role: "REPORTER" })
    expect(Redacted.value(exit.value.password!)).toBe("p4ssw0rd-from-env")
    expect(exit.value.description).toBe("snowflake://svc@myorg-acct/ANALYTICS/SEGMENT?warehouse=LOADING&role=REPORTER")
  })

  it("parses a snowflake:// URL and picks key-pair auth when a private key is given", async () => {
    const exit = await resolve({ url: "snowflake://svc@acct/DB/SCH?warehouse=WH&privateKeyPath=/keys/rsa.p8" })
    if (!Exit.isSuccess(exit)) throw new Error(String(exit.cause))
    expect(exit.value).toMatchObject({ authenticator: "SNOWFLAKE_JWT", privateKeyPath: "/keys/rsa.p8", database: "DB", schema: "SCH" })
  })

  it("says what is missing, without the password", async () => {
    const noAccount = await resolve({ user: "svc", password: "x" })
    expect(String(Exit.isFailure(noAccount) && noAccount.cause)).toContain("no account")
    const badUrl = await resolve({ url: "postgres://svc:hunter22secret@acct/DB" })
    expect(String(Exit.isFailure(badUrl) && badUrl.cause)).toContain("snowflake://")
    expect(String(Exit.isFailure(badUrl) && badUrl.cause)).not.toContain("hunter22secret")
  })
})
