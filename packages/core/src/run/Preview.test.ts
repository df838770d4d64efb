import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { preview } from "./Preview.ts"
import { SyncSpec } from "../spec/SyncSpec.ts"
import { memorySource } from "../testing/MemorySource.ts"

describe("preview", () => {
  it.effect("maps the first rows into messages as sent, and stops reading there", () =>
    Effect.gen(function* () {
      let pulled = 0
      const rows = Array.from({ length: 10_000 }, (_, i) => ({ id: i === 1 ? "" : `u${i}`, score: "0.25" }))
      const result = yield* preview({ spec: SyncSpec.parse({ event: "Scored", customerId: "id" }), limit: 3 }).pipe(
        Effect.provide(memorySource(rows, { chunkSize: 10, onPull: (n) => (pulled = n) }))
      )
      assert.strictEqual(result.messages.length, 3)
      assert.deepInclude(JSON.parse(result.messages[0]!), { type: "track", userId: "u0", event: "Scored", properties: { score: 0.25 } })
      assert.strictEqual(result.rejects.length, 1)
      assert.strictEqual(result.rejects[0]!.row, 2)
      assert.isAtMost(pulled, 20)
    })
  )
})
