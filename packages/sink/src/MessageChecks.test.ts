import { describe, expect, it } from "vitest"
import { checkMessage } from "./MessageChecks.ts"

const track = { type: "track", userId: "u1", event: "Sales Prediction", messageId: "m-1", properties: { x: 1 } }

describe("checkMessage", () => {
  it("accepts a well-formed message and serializes it once", () => {
    const result = checkMessage(track)
    expect(result).toEqual({ json: JSON.stringify(track), messageId: "m-1" })
    expect(typeof checkMessage({ type: "identify", anonymousId: "a", messageId: "m", traits: {} })).toBe("object")
  })

  it.each([
    [null, /JSON object/],
    [[track], /JSON object/],
    [{ ...track, type: "purchase" }, /type must be one of/],
    [{ ...track, type: undefined }, /type must be one of/],
    [{ ...track, userId: undefined }, /without a userId or anonymousId/],
    [{ ...track, userId: "" }, /without a userId or anonymousId/],
    [{ ...track, event: undefined }, /without an event/],
    [{ ...track, event: "" }, /without an event/],
    [{ ...track, messageId: undefined }, /without a messageId/],
    [{ ...track, messageId: "x".repeat(100) }, /100 characters; it must be under 100/],
    [{ ...track, timestamp: "yesterday-ish" }, /timestamp is not an ISO-8601 date/],
    [{ type: "group", userId: "u", messageId: "m" }, /without a groupId/],
    [{ type: "alias", userId: "u", messageId: "m" }, /without a previousId/]
  ])("refuses %j", (message, reason) => {
    const result = checkMessage(message)
    expect(typeof result).toBe("string")
    expect(result as string).toMatch(reason)
  })

  it("accepts a numeric userId and a messageId of 99 characters", () => {
    expect(typeof checkMessage({ ...track, userId: 162514333 })).toBe("object")
    expect(typeof checkMessage({ ...track, messageId: "x".repeat(99) })).toBe("object")
  })

  it("measures the size in UTF-8 bytes against the limit", () => {
    const base = JSON.stringify({ ...track, properties: { note: "" } }).length
    // "é" is one character but 2 bytes: the second message is under the limit in characters, over it in bytes.
    const fits = { ...track, properties: { note: "a".repeat(32 * 1024 - base) } }
    const over = { ...track, properties: { note: "é".repeat(Math.ceil((32 * 1024 - base) / 2) + 1) } }
    expect(typeof checkMessage(fits)).toBe("object")
    expect(checkMessage(over)).toMatch(/bytes; the limit is 32768/)
    expect(checkMessage(fits, 1_000)).toMatch(/the limit is 1000/)
  })
})
