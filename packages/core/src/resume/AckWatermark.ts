import { type RowRange, RowRangeSet } from "./RowRanges.ts"

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
 * The checkpoint's watermark: the highest row number R such that every row up to R is settled —
 * its messages acknowledged by the endpoint (or refused as a whole and reported), the row rejected
 * and reported, or the row listed as undelivered (`undelivered`), which a resumed run sends again.
 * Batches complete out of order when several are in flight; the watermark only moves past a batch
 * once every batch before it is settled too, so it never claims a row that was neither acknowledged
 * nor listed. A batch that could not be delivered does not hold it back: its rows are listed, so a
 * resume sends them and the rows after the watermark, never the whole table again.
 *
 * Bounds are conservative where the pipeline cannot see a row exactly (messages still queued):
 * a resumed run may re-send a few acknowledged rows, which Segment deduplicates by messageId.
 */
export class AckWatermark {
  private readonly open: Array<Entry> = []
  private lastClosedRow = 0
  private closedCount = 0
  private readonly failed = new RowRangeSet()

  /** Registers a batch in dispatch order (which is stream order). Settled by the same object. */
  /** Batches registered and still held: not settled, or settled behind one that is not. */
  get heldBatches(): number {
    return this.open.length
  }

  register(batch: TrackedBatch): void {
    this.open.push({ batch, state: "pending" })
    this.lastClosedRow = batch.lastRow
    this.closedCount++
  }

  /** Marks a registered batch settled: `final` (accepted or refused) or `failed` (undelivered). */
  settle(batch: TrackedBatch, outcome: "final" | "failed"): void {
    // By identity: two batches can cover the same row (a row's identify and track, apart).
    const entry = this.open.find((candidate) => candidate.batch === batch)
    if (entry === undefined || entry.state !== "pending") return
    entry.state = outcome
    if (outcome === "failed") this.failed.add(batch.firstRow, batch.lastRow)
    while (this.open.length > 0 && this.open[0]!.state !== "pending") this.open.shift()
  }

  /**
   * Lists rows whose messages were never put in a registered batch and will not be sent (the run
   * stopped with them queued), or that were in an undelivered part of a batch split to find the
   * messages refused: the watermark may then pass them.
   */
  abandon(rows: Iterable<number>): void {
    this.failed.addRows(rows)
  }

  /** Rows up to `through` that were not delivered, as ranges (a range may cover a row that was). */
  undelivered(through: number): Array<RowRange> {
    return this.failed.within(1, through)
  }

  /** Every row listed as not delivered, as ranges. */
  allUndelivered(): Array<RowRange> {
    return this.failed.toArray()
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
