import { describe, expect, it } from "@effect/vitest"
import { Transport } from "@tablecast/core"
import * as Effect from "effect/Effect"
import * as FetchSegmentTransport from "./FetchSegmentTransport.ts"
import { startTestEndpoint } from "./test/TestEndpoint.ts"
import { transportContract, writeKey } from "./test/transportContract.ts"

transportContract("FetchSegmentTransport", (input) => FetchSegmentTransport.make(input), { poolsConnections: false })

describe("FetchSegmentTransport.layer", () => {
  it.live("provides the core's Transport, posting with the fetch it is given", () =>
    Effect.gen(function* () {
      const endpoint = yield* Effect.acquireRelease(
        Effect.promise(() => startTestEndpoint()),
        (started) => Effect.promise(() => started.close())
      )
      const seen: Array<string> = []
      const fetch: typeof globalThis.fetch = (input, init) => {
        seen.push(String(input))
        return globalThis.fetch(input, init)
      }
      const accepted = yield* Transport.use((transport) => transport.send({ messages: ['{"type":"track"}'], messageBytes: 16, attempt: 1 })).pipe(
        Effect.provide(FetchSegmentTransport.layer({ writeKey, endpoint: endpoint.url }, { fetch }))
      )
      expect(accepted.status).toBe(200)
      expect(seen).toEqual([`${endpoint.url}/v1/batch`])
    })
  )
})
