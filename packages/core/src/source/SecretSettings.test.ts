import { describe, expect, it } from "vitest"
import { EnvName, fromEnv, SecretSettingError, urlHoldsPassword } from "./SecretSettings.ts"

describe("secret settings", () => {
  it("reads a named variable, refusing one that is unset or empty", () => {
    expect(fromEnv({ PW: "x" }, "PW", "source.passwordEnv")).toBe("x")
    expect(fromEnv({}, undefined, "source.passwordEnv")).toBeUndefined()
    expect(() => fromEnv({ PW: "" }, "PW", "source.passwordEnv")).toThrow("source.passwordEnv: the environment variable PW is not set")
    expect(() => fromEnv({}, "PW", "source.passwordEnv")).toThrow(SecretSettingError)
  })

  it("tells a URL holding a password, and checks variable names", () => {
    expect(urlHoldsPassword("postgres://me:pw@db/x")).toBe(true)
    expect(urlHoldsPassword("postgres://me@db/x")).toBe(false)
    expect(EnvName.safeParse("PG_PASSWORD").success).toBe(true)
    expect(EnvName.safeParse("1PW").success).toBe(false)
  })
})
