import { Transport } from "@tablecast/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/** A transport that keeps every message it is given, parsed, and accepts every batch. */
export const captureTransport = () => {
  const messages: Array<any> = []
  const layer = Layer.succeed(Transport, {
    endpoint: "capture",
    envelopeBytes: 64,
    send: (batch) =>
      Effect.sync(() => {
        for (const message of batch.messages) messages.push(JSON.parse(message))
        return { status: 200, bodyBytes: batch.messageBytes }
      })
  })
  return { messages, layer }
}
