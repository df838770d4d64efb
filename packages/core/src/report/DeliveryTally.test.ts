import { assert, describe, it } from "@effect/vitest"
import { DeliveryTally } from "./DeliveryTally.ts"
import { Interrupted, SourceFailed, SpecInvalid } from "./Fatal.ts"

describe("DeliveryTally", () => {
  it("counts each row read into one place, and balances", () => {
    const tally = new DeliveryTally(0)
    tally.countRead(3)
    tally.countSkipped()
    tally.countRejected()
    tally.countMapped(2, true)
    tally.settleAccepted(1)
    tally.settleUndelivered(1, 0)
    tally.balanceBooks()
    const report = tally.report({ sync: "s", source: "m", endpoint: "e", dryRun: false }, 1_000)
    assert.deepStrictEqual(report.rows, { read: 3, mapped: 1, rejected: 1, skipped: 1, repeated: 1 })
    assert.deepStrictEqual(report.messages, { built: 2, sent: 0, accepted: 1, refused: 0, undelivered: 1 })
    assert.strictEqual(report.outcome, "incomplete")
    assert.isUndefined(report.fatal)
  })

  it("fails as unbalanced when a message is unaccounted for, naming the cause it had", () => {
    const tally = new DeliveryTally(0)
    tally.countRead()
    tally.countMapped(1, false)
    tally.fail(new SourceFailed({ message: "gone" }))
    tally.balanceBooks()
    const fatal = tally.report({ sync: "s", source: "m", endpoint: "e", dryRun: false }, 0).fatal
    assert.strictEqual(fatal?.kind, "unbalanced")
    assert.include(fatal?.message, "1 message built unaccounted for")
    assert.include(fatal?.message, "(source: gone)")
  })

  it("keeps the first cause; a stop request gives way to a later one", () => {
    const tally = new DeliveryTally(0)
    tally.fail(new Interrupted({ message: "stop" }))
    tally.fail(new SourceFailed({ message: "gone" }))
    assert.strictEqual(tally.fatal?._tag, "Interrupted")
    tally.failReplacingStop(new SpecInvalid({ message: "bug" }))
    assert.strictEqual(tally.fatal?._tag, "SpecInvalid")
    tally.failReplacingStop(new SourceFailed({ message: "later" }))
    assert.strictEqual(tally.fatal?._tag, "SpecInvalid")
  })
})
