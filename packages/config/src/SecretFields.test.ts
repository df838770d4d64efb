import { describe, expect, it } from "vitest"
import { ConfigError } from "./ConfigError.ts"
import { refuseSecrets } from "./SecretFields.ts"

describe("secret fields of a config entry", () => {
  it("refuses a secret field in a config entry, naming the field and never its value", () => {
    expect(() => refuseSecrets({ type: "postgres", password: "hunter2" }, "syncs.s.source", ["password"])).toThrow(ConfigError)
    try {
      refuseSecrets({ password: "hunter2" }, "syncs.s.source", ["password"])
    } catch (error) {
      expect((error as ConfigError)._tag).toBe("ConfigError")
      expect((error as ConfigError).field).toBe("syncs.s.source.password")
      expect((error as Error).message).toMatch(/^syncs\.s\.source\.password: secrets do not belong in a config file; .*passwordEnv/)
      expect((error as Error).message).not.toContain("hunter2")
    }
    expect(() => refuseSecrets({ passwordEnv: "PW" }, "source", ["password"])).not.toThrow()
  })
})
