import { describe, expect, it } from "vitest"
import { mixedFaults, runSoak } from "./support/Soak.ts"
import { useWorkdir } from "./support/Workdir.ts"

// The soak's small variant, in the suite: every kind of fault at once over 50,000 rows. The
// million-row run is `pnpm --filter @tablecast/faults-tests soak` (src/soak.ts), which also
// prints memory over time.

const workdir = useWorkdir()

describe("soak (50,000 rows, mixed faults)", () => {
  it("429s, 5xx, resets, half-written answers and timeouts together: zero loss, no message counted twice, the report matches the receiver", async () => {
    const rows = 50_000
    const result = await runSoak({ rows, dir: workdir.path, faults: mixedFaults(20_261), requestTimeoutMillis: 1_000, cliTimeoutMillis: 110_000 })
    const { report, sink } = result
    expect(result.exitCode, result.stderr).toBe(0)
    // Faults of every kind were met.
    expect(sink.faults.serverErrors).toBeGreaterThan(0)
    expect(sink.faults.droppedConnections + sink.faults.halfWritten).toBeGreaterThan(0)
    expect(sink.faults.slowed).toBeGreaterThan(0)
    expect(report.batches.retries).toBeGreaterThan(0)
    // Zero loss, each row under one messageId.
    expect(result.problems).toEqual([])
    expect(sink.uniqueMessageIds).toBe(rows)
    // Counted once: accepted is the rows, and the books balance.
    expect(report.messages).toMatchObject({ built: rows, accepted: rows, refused: 0, undelivered: 0 })
    // What the receiver stored beyond the rows are copies of requests retried after a timeout.
    expect(sink.messagesAccepted).toBe(rows + sink.duplicateMessageIds)
    expect(sink.duplicateMessageIds).toBeLessThanOrEqual(report.batches.retries * 100)
    expect(result.stored).toBe(sink.messagesAccepted)
    expect(sink.droppedMessages).toBe(0)
  })
})
