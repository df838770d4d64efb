import type { BuiltMessage } from "../map/MessageMapper.ts"

/** A closed batch: messages in stream order, and the UTF-8 bytes they take joined with commas. */
export interface Batch {
  readonly messages: ReadonlyArray<BuiltMessage>
  readonly messageBytes: number
  /** Row of the first message and of the last one. */
  readonly firstRow: number
  readonly lastRow: number
}

export interface BatchLimits {
  /** Most messages per batch. */
  readonly maxCount: number
  /** Most bytes of request body, envelope included. */
  readonly maxBytes: number
  /** Bytes the transport's envelope adds around the messages. */
  readonly envelopeBytes: number
}

const noBatches: ReadonlyArray<Batch> = Object.freeze([])

/**
 * Fills batches in arrival order under a count and a byte limit. Pure and synchronous: the
 * pipeline decides when time says to flush. A message never straddles a limit: if it does not fit
 * the open batch, that batch closes and the message opens the next one.
 */
export class BatchBuilder {
  private messages: Array<BuiltMessage> = []
  private bytes = 0

  constructor(private readonly limits: BatchLimits) {
    if (limits.maxCount < 1) throw new RangeError("maxCount must be at least 1")
  }

  get size(): number {
    return this.messages.length
  }

  /** Adds a message; returns the batches that closed because of it (zero, one or two). */
  add(message: BuiltMessage): ReadonlyArray<Batch> {
    // Most messages close nothing: they share one empty answer rather than each allocating one.
    let closed: ReadonlyArray<Batch> = noBatches
    const added = this.messages.length === 0 ? message.bytes : message.bytes + 1
    if (this.messages.length > 0 && this.limits.envelopeBytes + this.bytes + added > this.limits.maxBytes) {
      closed = [this.close()]
    }
    this.bytes += this.messages.length === 0 ? message.bytes : message.bytes + 1
    this.messages.push(message)
    if (this.messages.length >= this.limits.maxCount) closed = [...closed, this.close()]
    return closed
  }

  /** Closes the open batch, if it holds anything. */
  flush(): Batch | undefined {
    return this.messages.length === 0 ? undefined : this.close()
  }

  private close(): Batch {
    const batch: Batch = {
      messages: this.messages,
      messageBytes: this.bytes,
      firstRow: this.messages[0]!.rowNumber,
      lastRow: this.messages[this.messages.length - 1]!.rowNumber
    }
    this.messages = []
    this.bytes = 0
    return batch
  }
}
