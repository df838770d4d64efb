import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { SegmentLimits } from "../spec/Limits.ts"
import { deterministicMessageId, MESSAGE_ID_PREFIX, portableSha256Hex } from "./MessageId.ts"

describe("deterministicMessageId", () => {
  it("is the same for the same namespace and content, and short enough for Segment", () => {
    const id = deterministicMessageId("track:Sales Prediction", '{"userId":"1"}')
    expect(id).toBe(deterministicMessageId("track:Sales Prediction", '{"userId":"1"}'))
    expect(id).toMatch(/^tablecast-[0-9a-f]{32}$/)
    expect(id.length).toBeLessThan(SegmentLimits.maxMessageIdLength)
  })

  it("differs when the namespace or the content differs", () => {
    const base = deterministicMessageId("a", "x")
    expect(deterministicMessageId("b", "x")).not.toBe(base)
    expect(deterministicMessageId("a", "y")).not.toBe(base)
    expect(deterministicMessageId("a\nb", "c")).not.toBe(deterministicMessageId("a", "b\nc"))
  })

  it("keeps the ids it gave before: re-runs must deduplicate against earlier runs", () => {
    expect(deterministicMessageId("track:Sales Prediction", '{"type":"track","userId":"1","properties":{"é":"😀"}}')).toBe(
      "tablecast-d9b0f8fea3bd2560f2413ec8dd732750"
    )
  })

  it("gives the portable hash's id for any text, whichever hash the runtime provides", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.string({ unit: "binary" }), (namespace, content) => {
        const portable = MESSAGE_ID_PREFIX + portableSha256Hex(`${namespace.length}:${namespace}\n${content}`).slice(0, 32)
        expect(deterministicMessageId(namespace, content)).toBe(portable)
      })
    )
  })
})
