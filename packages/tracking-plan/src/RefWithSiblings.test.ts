import { describe, expect, it } from "vitest"
import { refSiblingsApplied } from "./RefWithSiblings.js"

describe("refSiblingsApplied", () => {
  it("moves a $ref that has siblings into an allOf beside them, at any depth", () => {
    const schema = {
      definitions: { unit: { type: "number" } },
      properties: { score: { $ref: "#/definitions/unit", maximum: 1, allOf: [{ minimum: 0 }] }, plain: { $ref: "#/definitions/unit" } }
    }
    expect(refSiblingsApplied(schema)).toEqual({
      definitions: { unit: { type: "number" } },
      properties: { score: { maximum: 1, allOf: [{ minimum: 0 }, { $ref: "#/definitions/unit" }] }, plain: { $ref: "#/definitions/unit" } }
    })
  })

  it("leaves schemas without such a $ref, and data keywords, as they are", () => {
    const schema = { properties: { a: { enum: [{ $ref: "#/x", b: 1 }] }, b: { $ref: "#/definitions/b" } }, definitions: { b: {} } }
    expect(refSiblingsApplied(schema)).toBe(schema)
  })
})
