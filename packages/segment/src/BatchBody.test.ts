import { utf8ByteLength } from "@tablecast/core"
import { describe, expect, it } from "vitest"
import { batchBody, envelopeBytes } from "./BatchBody.ts"

describe("batchBody", () => {
  const messages = [
    JSON.stringify({ type: "track", userId: "1", event: "Sales Prediction", messageId: "a" }),
    JSON.stringify({ type: "identify", userId: "2", messageId: "b", traits: { name: "Zoë 🚀 日本" } })
  ]

  it("wraps the messages as given in a batch with sentAt", () => {
    const body = batchBody(messages, Date.UTC(2025, 0, 1))
    expect(body).toBe(`{"batch":[${messages[0]},${messages[1]}],"sentAt":"2025-01-01T00:00:00.000Z"}`)
    expect(JSON.parse(body)).toEqual({
      batch: messages.map((message) => JSON.parse(message) as unknown),
      sentAt: "2025-01-01T00:00:00.000Z"
    })
  })

  it("adds exactly envelopeBytes UTF-8 bytes to the joined messages", () => {
    for (const batch of [messages, [messages[1] ?? ""], []]) {
      const body = batchBody(batch, Date.UTC(2031, 11, 31, 23, 59, 59, 999))
      expect(Buffer.byteLength(body)).toBe(utf8ByteLength(batch.join(",")) + envelopeBytes)
    }
    expect(envelopeBytes).toBe(Buffer.byteLength('{"batch":[],"sentAt":"2025-01-01T00:00:00.000Z"}'))
  })
})
