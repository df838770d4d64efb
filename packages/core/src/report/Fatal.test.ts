import { assert, describe, it } from "@effect/vitest"
import type { FatalError } from "./DeliveryReport.ts"
import { EndpointUnreachable, fatalOfRecord, fatalRecord, WriteKeyRefused } from "./Fatal.ts"

const kinds: ReadonlyArray<FatalError["kind"]> = [
  "auth",
  "spec",
  "source",
  "source-changed",
  "checkpoint",
  "interrupted",
  "max-rejects",
  "guard",
  "state",
  "internal",
  "unbalanced",
  "output",
  "unreachable"
]

describe("Fatal", () => {
  it("reports each cause as the record the JSON report has always had, and reads it back", () => {
    for (const kind of kinds) {
      const record: FatalError = { kind, message: `why ${kind}` }
      const fatal = fatalOfRecord(record)
      assert.deepStrictEqual(fatalRecord(fatal), record)
      assert.strictEqual(JSON.stringify(fatalRecord(fatal)), JSON.stringify(record))
    }
  })

  it("keeps the status of a cause that has one, in the record's order", () => {
    const record = fatalRecord(new WriteKeyRefused({ message: "refused", status: 401 }))
    assert.strictEqual(JSON.stringify(record), '{"kind":"auth","message":"refused","status":401}')
    assert.deepStrictEqual(
      fatalOfRecord({ kind: "unreachable", message: "down", status: 503 }),
      new EndpointUnreachable({ message: "down", status: 503 })
    )
    assert.strictEqual(JSON.stringify(fatalRecord(new EndpointUnreachable({ message: "down" }))), '{"kind":"unreachable","message":"down"}')
  })

  it("gives each cause a tag of its own", () => {
    const tags = new Set(kinds.map((kind) => fatalOfRecord({ kind, message: "" })._tag))
    assert.strictEqual(tags.size, kinds.length)
  })
})
