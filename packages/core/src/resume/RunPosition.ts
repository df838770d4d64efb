import { AckWatermark } from "./AckWatermark.ts"
import { RowRangeSet } from "./RowRanges.ts"

/**
 * Where a run stands, for its checkpoint: the rows read, the messages batched, the batches settled
 * (`acks`), and what it resumed from. The reader, the batch loop and settlement move it; the
 * checkpoint reads its watermark.
 */
export class RunPosition {
  readonly acks = new AckWatermark()
  /** The last row read, mapped and handed to the queue. */
  readThrough: number
  firstMessageRow = Number.POSITIVE_INFINITY
  messagesBatched = 0

  /**
   * @param skipThrough the interrupted run's watermark: rows up to it are skipped, except `carried`
   * @param carried rows up to `skipThrough` that the interrupted run did not deliver: sent again
   */
  constructor(
    readonly skipThrough = 0,
    readonly carried = new RowRangeSet()
  ) {
    this.readThrough = skipThrough
  }

  /** A row the interrupted run settled: not read again. */
  skips(rowNumber: number): boolean {
    return rowNumber <= this.skipThrough && (this.carried.size === 0 || !this.carried.has(rowNumber))
  }

  /** Every row up to it is settled for good. */
  watermark(messagesBuilt: number): number {
    return this.acks.watermark(this.readThrough, messagesBuilt - this.messagesBatched, this.firstMessageRow)
  }

  /**
   * This run's watermark, with the rows it did not deliver; a resumed run's own watermark may still
   * be below the one it resumed from (it sends the carried rows first), so those carry over.
   */
  settledState(messagesBuilt: number): { readonly watermark: number; readonly undelivered: Array<readonly [number, number]> } {
    const mark = this.watermark(messagesBuilt)
    const undelivered = new RowRangeSet(this.acks.undelivered(mark))
    for (const [from, to] of this.carried.within(mark + 1, this.skipThrough)) undelivered.add(from, to)
    return { watermark: Math.max(mark, this.skipThrough), undelivered: undelivered.toArray() }
  }
}
