import * as Redacted from "effect/Redacted"
import { describe, expect, it } from "vitest"
import { EdgeConfig, EdgeConfigError } from "../EdgeConfig.ts"
import { RequestError } from "../RequestError.ts"
import { alertSettingsOf } from "./EdgeNotify.ts"

const deploymentUrl = "https://hooks.example.test/services/T0/B0/deployment-token"

describe("alertSettingsOf: a run's alert settings from the deployment's and the request's", () => {
  it("no webhook anywhere: no alert", () => {
    expect(alertSettingsOf({}, undefined)).toBeUndefined()
  })

  it("the deployment's alone: the CLI's defaults fill what it leaves out", () => {
    expect(alertSettingsOf({ url: Redacted.make(deploymentUrl) }, undefined)).toEqual({
      url: deploymentUrl,
      on: ["failure", "incomplete", "guard"],
      rejectsOver: 0,
      format: "slack"
    })
    // A threshold turns `rejects` on, as --notify-rejects-over does.
    expect(alertSettingsOf({ url: Redacted.make(deploymentUrl), rejectsOver: 10 }, undefined)?.on).toContain("rejects")
  })

  it("the request's header overrides field by field, or turns the alert off", () => {
    const deployment = { url: Redacted.make(deploymentUrl), on: ["failure" as const], format: "json" as const }
    expect(alertSettingsOf(deployment, JSON.stringify({ on: ["success"] }))).toEqual({
      url: deploymentUrl,
      on: ["success"],
      rejectsOver: 0,
      format: "json"
    })
    expect(alertSettingsOf(deployment, JSON.stringify({ url: "http://127.0.0.1:9/own" }))?.url).toBe("http://127.0.0.1:9/own")
    expect(alertSettingsOf(deployment, "off")).toBeUndefined()
  })

  it("a header at fault: 400 naming the field, never quoting the URL", () => {
    const fieldOf = (header: string): string | undefined => {
      try {
        alertSettingsOf({}, header)
      } catch (error) {
        expect(error).toBeInstanceOf(RequestError)
        expect((error as RequestError).message).not.toContain("secret-part")
        return (error as RequestError).field
      }
      return undefined
    }
    expect(fieldOf(JSON.stringify({ url: "https://u:secret-part@hooks.example.test/x" }))).toBe("notify.url")
    expect(fieldOf(JSON.stringify({ on: ["failure"] }))).toBe("notify.url")
    expect(fieldOf(JSON.stringify({ url: deploymentUrl, rejectsOver: -1 }))).toBe("notify.rejectsOver")
    expect(fieldOf(JSON.stringify({ url: deploymentUrl, extra: 1 }))).toBe("notify")
    expect(fieldOf("[1")).toBe("header x-tablecast-notify")
  })

  it("a deployment with ALLOW_NOTIFY_URL_HEADER=false takes a request's triggers, never its URL", () => {
    const deployment = EdgeConfig.fromEnv({ NOTIFY_URL: deploymentUrl, ALLOW_NOTIFY_URL_HEADER: "false" }).notify
    expect(alertSettingsOf(deployment, JSON.stringify({ on: ["success"] }))).toMatchObject({ url: deploymentUrl, on: ["success"] })
    expect(() => alertSettingsOf(deployment, JSON.stringify({ url: "http://127.0.0.1:9/elsewhere" }))).toThrow(
      "this deployment sends alerts only to its NOTIFY_URL"
    )
  })
})

describe("EdgeConfig's NOTIFY_* variables", () => {
  it("are read into the deployment's alert settings, the URL redacted", () => {
    const config = EdgeConfig.fromEnv({
      NOTIFY_URL: deploymentUrl,
      NOTIFY_ON: "failure, rejects",
      NOTIFY_REJECTS_OVER: "5",
      NOTIFY_FORMAT: "json"
    })
    expect(String(config.notify.url)).not.toContain("deployment-token")
    expect({ ...config.notify, url: undefined }).toEqual({
      url: undefined,
      on: ["failure", "rejects"],
      rejectsOver: 5,
      format: "json",
      allowRequestUrl: true
    })
  })

  it("a trigger it does not know names NOTIFY_ON", () => {
    try {
      EdgeConfig.fromEnv({ NOTIFY_ON: "failure,whenever" })
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(EdgeConfigError)
      expect((error as EdgeConfigError).variables).toEqual(["NOTIFY_ON"])
    }
  })
})
