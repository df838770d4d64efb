/** A batch as the watermark sees it: the rows its messages came from. */
export interface TrackedBatch {
  readonly firstRow: number
  readonly lastRow: number
}

interface Entry {
  readonly batch: TrackedBatch
  state: "pending" | "final" | "failed"
}

/**
 * The checkpoint's watermark: the highest row number R such that every row up to R is settled for
 * good — its messages acknowledged by the endpoint (or refused as a whole and reported), or the
 * row rejected and reported. Batches complete out of order when several are in flight; the
 * watermark only moves past a batch once every batch before it is settled too, so it never claims
 * a row that was not acknowledged. A batch that could not be delivered holds it back for the rest
 * of the run: the next run resumes there.
 *
 * Bounds are conservative where the pipeline cannot see a row exactly (messages still queued):
 * a resumed run may re-send a few acknowledged rows, which Segment deduplicates by messageId.
 */
export class AckWatermark {
  private readonly open: Array<Entry> = []
  private lastClosedRow = 0
  private closedCount = 0

  /** Registers a batch in dispatch order (which is stream order). Settled by the same object. */
  register(batch: TrackedBatch): void {
    this.open.push({ batch, state: "pending" })
    this.lastClosedRow = batch.lastRow
    this.closedCount++
  }

  /** Marks a registered batch settled: `final` (accepted or refused) or `failed` (undelivered). */
  settle(batch: TrackedBatch, outcome: "final" | "failed"): void {
    // By identity: two batches can cover the same row (a row's identify and track, apart).
    const entry = this.open.find((candidate) => candidate.batch === batch)
    if (entry !== undefined) entry.state = outcome
    while (this.open.length > 0 && this.open[0]!.state === "final") this.open.shift()
  }

  /**
   * @param readThrough the last row read and mapped (its messages are queued or batched)
   * @param unbatched messages built but not yet in a registered batch
   * @param firstUnbatchedRow a lower bound of the row of the first unbatched message
   */
  watermark(readThrough: number, unbatched: number, firstUnbatchedRow: number): number {
    const head = this.open[0]
    if (head !== undefined) return Math.min(readThrough, head.batch.firstRow - 1)
    if (unbatched > 0) return Math.min(readThrough, (this.closedCount === 0 ? firstUnbatchedRow : this.lastClosedRow) - 1)
    return readThrough
  }
}
