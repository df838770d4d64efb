import { describe, expect, it } from "vitest"
import { batchBody } from "./BatchBody.ts"
import { batchBodyBuffer } from "./BatchBodyBuffer.ts"

const bytesOf = (messages: ReadonlyArray<string>) => Buffer.byteLength(messages.join(","))

describe("batchBodyBuffer", () => {
  const messages = [
    JSON.stringify({ type: "track", userId: "1", event: "Sales Prediction", messageId: "a" }),
    JSON.stringify({ type: "identify", userId: "2", messageId: "b", traits: { name: "Zoë 🚀 日本", lone: "\ud800" } })
  ]
  const sentAt = Date.UTC(2031, 11, 31, 23, 59, 59, 999)

  it("writes the same bytes as the text body", () => {
    for (const batch of [messages, [messages[1]!], []]) {
      expect(batchBodyBuffer(batch, bytesOf(batch), sentAt).equals(Buffer.from(batchBody(batch, sentAt)))).toBe(true)
    }
  })

  it("falls back to the text when the measured size is off either way", () => {
    const expected = Buffer.from(batchBody(messages, sentAt))
    for (const wrong of [bytesOf(messages) - 3, bytesOf(messages) + 3, 0]) {
      expect(batchBodyBuffer(messages, wrong, sentAt).equals(expected)).toBe(true)
    }
  })
})
