import { describe, expect, it } from "vitest"
import { duplicatePair } from "./DuplicateItems.js"

describe("duplicatePair", () => {
  it("finds the pair Ajv names: typed scalar items by their last occurrence, others scanning from the end", () => {
    expect(duplicatePair([1, 2, 1, 3, 2], { type: "number" })).toEqual({ i: 1, j: 4 })
    expect(duplicatePair([1, 2, 1, 3, 2], undefined)).toEqual({ i: 4, j: 1 })
    expect(duplicatePair([{ a: [1] }, { a: [2] }, { a: [1] }], {})).toEqual({ i: 2, j: 0 })
    expect(duplicatePair(["1", 1], { type: ["string", "number"] })).toBeUndefined()
    expect(duplicatePair(["a", 1, "a"], { type: "string" })).toEqual({ i: 0, j: 2 })
    expect(duplicatePair([1, 2, 3], { type: "integer" })).toBeUndefined()
  })
})
