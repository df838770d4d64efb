import { describe, expect, it } from "vitest"
import { checkedPlan, checkPlanFitsChunks, edgeContractOf, planForSpec, planInForce, requestPlanSettings } from "./EdgeTrackingPlan.ts"
import { RequestError } from "./RequestError.ts"

const plan = {
  rules: [
    { type: "TRACK", key: "Churn Scored", version: 1, jsonSchema: { properties: { properties: { properties: { score: { type: "number" } } } } } },
    { type: "TRACK", key: "Other", version: 1, jsonSchema: { properties: { properties: { required: ["x"] } } } },
    { type: "IDENTIFY", version: 1, jsonSchema: { properties: { traits: { required: ["email"] } } } },
    { type: "GROUP", version: 1, jsonSchema: { properties: { traits: { required: ["name"] } } } },
    { type: "COMMON", version: 1, jsonSchema: { required: ["userId"] } }
  ]
}

const refusal = (run: () => unknown): RequestError => {
  try {
    run()
  } catch (error) {
    if (error instanceof RequestError) return error
    throw error
  }
  throw new Error("not refused")
}

describe("the edge's tracking plan", () => {
  it("takes the spec's plan, else the deployment's, in the spec's mode when it names one", () => {
    const deployment = checkedPlan(plan, "TRACKING_PLAN", "warn")
    const own = requestPlanSettings(plan, undefined, "spec")
    expect(planInForce(own, deployment)).toMatchObject({ origin: "spec.trackingPlan", mode: "reject" })
    expect(planInForce(undefined, deployment)).toBe(deployment)
    expect(planInForce(requestPlanSettings(undefined, "reject", "spec"), deployment)).toMatchObject({ origin: "TRACKING_PLAN", mode: "reject" })
    expect(planInForce(undefined, undefined)).toBeUndefined()
    expect(refusal(() => planInForce(requestPlanSettings(undefined, "warn", "spec"), undefined))).toMatchObject({
      status: 400,
      field: "spec.trackingPlanMode"
    })
  })

  it("refuses a plan that is not the plan's JSON object, or a mode it does not know, naming the field", () => {
    expect(refusal(() => requestPlanSettings("plans/churn.json", undefined, "spec"))).toMatchObject({
      status: 400,
      field: "spec.trackingPlan",
      message: expect.stringContaining("the edge reads no files")
    })
    expect(refusal(() => requestPlanSettings(plan, "strict", "header x-tablecast-spec"))).toMatchObject({
      field: "header x-tablecast-spec.trackingPlanMode",
      message: 'header x-tablecast-spec.trackingPlanMode: expected "reject" or "warn", got "strict"'
    })
    expect(
      refusal(() => requestPlanSettings({ rules: [{ type: "TRACK", key: "A", jsonSchema: { minimum: "0" } }] }, undefined, "spec"))
    ).toMatchObject({
      field: "spec.trackingPlan.rules[0].jsonSchema",
      message: expect.stringContaining("minimum: must be number, got string")
    })
  })

  it("carries in a queued run's chunks only the rules its sync can meet, with the common one", () => {
    const inForce = checkedPlan(plan, "spec.trackingPlan", "reject")
    const track = planForSpec(inForce, { type: "track", event: "Churn Scored" } as never)
    expect(track.plan.rules.map((rule) => `${rule.call}:${rule.event ?? ""}`)).toEqual(["track:Churn Scored"])
    expect(track.plan.common).toEqual(inForce.plan.common)
    const both = planForSpec(inForce, { type: "identify,group,track", event: "Other" } as never)
    expect(both.plan.rules.map((rule) => `${rule.call}:${rule.event ?? ""}`)).toEqual(["track:Other", "identify:", "group:"])
  })

  it("refuses a plan that would crowd the rows out of a queue message, with a 413 naming it", () => {
    const inForce = checkedPlan(plan, "spec.trackingPlan", "reject")
    const bytes = new TextEncoder().encode(JSON.stringify(inForce)).length
    expect(() => checkPlanFitsChunks(inForce, bytes * 2)).not.toThrow()
    expect(refusal(() => checkPlanFitsChunks(inForce, bytes * 2 - 2))).toMatchObject({
      status: 413,
      field: "spec.trackingPlan",
      message: expect.stringContaining(`are ${bytes} bytes as JSON`)
    })
  })

  it("builds a contract that never quotes a row's value", () => {
    const inForce = checkedPlan(plan, "TRACKING_PLAN", "warn")
    const contract = edgeContractOf(inForce)
    expect(contract).toMatchObject({ mode: "warn", name: "TRACKING_PLAN" })
    const found = contract.check({ type: "track", event: "Churn Scored", userId: "u", properties: { score: "jane@example.com" } })
    expect(found.violations.map((violation) => violation.text)).toEqual(['properties.score: must be number, got string (TRACK "Churn Scored" v1)'])
    // Built once per plan object (the deployment's plan, for every request).
    expect(edgeContractOf(inForce)).toBe(contract)
  })
})
