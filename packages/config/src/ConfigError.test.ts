import { describe, expect, it } from "vitest"
import { ConfigError, fieldError, flagError } from "./ConfigError.ts"

describe("ConfigError", () => {
  it("is a tagged error carrying the flag or the field at fault", () => {
    const byFlag = flagError("key", '--key names the key columns (a,b), not "*"')
    expect(byFlag).toBeInstanceOf(ConfigError)
    expect(byFlag).toBeInstanceOf(Error)
    expect(byFlag._tag).toBe("ConfigError")
    expect(byFlag.flag).toBe("key")
    expect(byFlag.message).toBe('--key names the key columns (a,b), not "*"')
    const byField = fieldError("syncs.daily.source.password", "secrets do not belong in a config file")
    expect(byField.field).toBe("syncs.daily.source.password")
    expect(byField.message).toBe("syncs.daily.source.password: secrets do not belong in a config file")
  })
})
