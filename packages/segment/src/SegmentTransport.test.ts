import { describe, expect, it } from "@effect/vitest"
import { Transport } from "@tablecast/core"
import * as Effect from "effect/Effect"
import * as SegmentTransport from "./SegmentTransport.ts"
import { startTestEndpoint } from "./test/TestEndpoint.ts"
import { transportContract, writeKey } from "./test/transportContract.ts"

transportContract("SegmentTransport (node:http)", SegmentTransport.make, { poolsConnections: true })

describe("SegmentTransport.layer", () => {
  it.live("provides the core's Transport and closes its connections with the layer", () =>
    Effect.gen(function* () {
      const endpoint = yield* Effect.acquireRelease(
        Effect.promise(() => startTestEndpoint()),
        (started) => Effect.promise(() => started.close())
      )
      const accepted = yield* Transport.use((transport) => transport.send({ messages: ['{"type":"track"}'], messageBytes: 16, attempt: 1 })).pipe(
        Effect.provide(SegmentTransport.layer({ writeKey, endpoint: endpoint.url }))
      )
      expect(accepted.status).toBe(200)
      expect(endpoint.connections()).toBe(1)
      // The pool is gone with the layer, so the keep-alive connection closes now, not when idle.
      const closed = yield* Effect.promise(() => endpoint.whenNoConnections()).pipe(Effect.timeoutOption("2 seconds"))
      expect(closed._tag).toBe("Some")
    })
  )
})
