import { describe, expect, it, inject } from "vitest"
describe("node", () => { it("has the sink", () => { expect(inject("sinkUrl")).toMatch(/^http:/) }) })
