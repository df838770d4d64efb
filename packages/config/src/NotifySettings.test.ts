import { describe, expect, it } from "vitest"
import type { ConfigError } from "./ConfigError.ts"
import { resolveNotify } from "./NotifySettings.ts"

const secretUrl = "https://hooks.example.test/services/T0/B0/secret-token"

describe("resolveNotify", () => {
  it("is off without a webhook", () => {
    expect(resolveNotify(undefined, undefined, {}, "syncs.a")).toBeUndefined()
  })

  it("takes a config entry's notify, the webhook from its variable, and the flags over it", () => {
    const raw = { urlEnv: "CHURN_WEBHOOK", on: ["failure", "success"], rejectsOver: 5, format: "json" }
    expect(resolveNotify(raw, undefined, { CHURN_WEBHOOK: secretUrl }, "syncs.a")).toEqual({
      url: secretUrl,
      on: ["failure", "success"],
      rejectsOver: 5,
      format: "json"
    })
    expect(resolveNotify(raw, { on: ["guard"], format: "slack" }, { CHURN_WEBHOOK: secretUrl }, "syncs.a")).toEqual({
      url: secretUrl,
      on: ["guard"],
      rejectsOver: 5,
      format: "slack"
    })
  })

  it("defaults to failure, incomplete and guard, Slack's format; a threshold adds rejects", () => {
    expect(resolveNotify(undefined, { url: "http://127.0.0.1:9/hook" }, {}, "")).toEqual({
      url: "http://127.0.0.1:9/hook",
      on: ["failure", "incomplete", "guard"],
      rejectsOver: 0,
      format: "slack"
    })
    expect(resolveNotify(undefined, { url: "http://127.0.0.1:9/hook", rejectsOver: 100 }, {}, "")?.on).toContain("rejects")
  })

  it("names the field or flag at fault, never the URL", () => {
    const errorOf = (run: () => unknown) => {
      try {
        run()
      } catch (error) {
        return error as ConfigError
      }
      throw new Error("no error")
    }
    expect(errorOf(() => resolveNotify({ urlEnv: "MISSING" }, undefined, {}, "syncs.a")).field).toBe("syncs.a.notify.urlEnv")
    expect(errorOf(() => resolveNotify({ url: "x", when: 1 }, undefined, {}, "syncs.a")).message).toMatch(/^syncs\.a\.notify/)
    expect(errorOf(() => resolveNotify(undefined, { url: secretUrl, on: ["failure", "sometimes"] }, {}, "")).flag).toBe("notify-on")
    expect(errorOf(() => resolveNotify(undefined, { on: ["failure"] }, {}, "")).flag).toBe("notify")
    const badUrl = errorOf(() => resolveNotify(undefined, { url: "ftp://hooks.example.test/secret-token" }, {}, ""))
    expect(badUrl.flag).toBe("notify")
    expect(badUrl.message).not.toContain("secret-token")
  })
})
