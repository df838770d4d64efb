import type { BuiltMessage } from "../map/MessageMapper.ts"

/** How a chunker closes its chunks, and what a closed chunk becomes. */
export interface BatcherOptions<T, C> {
  /** Most items per chunk. */
  readonly maxCount: number
  /** Most bytes per chunk, envelope included. */
  readonly maxBytes: number
  /** Bytes the chunk's envelope adds around its items. */
  readonly envelopeBytes: number
  /** Bytes between two items (1 for the comma of a JSON array, 0 when the size holds it). */
  readonly separatorBytes: number
  /** An item's bytes. Measured again after a chunk closes, so it may depend on what closed. */
  readonly sizeOf: (item: T) => number
  /** Makes the closed chunk from its items and their bytes (separators included, envelope not). */
  readonly close: (items: Array<T>, bytes: number) => C
}

const noChunks: ReadonlyArray<never> = Object.freeze([])

/**
 * The one size-bounded chunker: fills chunks in arrival order under a count and a byte limit.
 * Pure and synchronous: the caller decides when time says to flush. An item never straddles a
 * limit: if it does not fit the open chunk, that chunk closes and the item opens the next one (an
 * item larger than the limit travels alone; the caller refuses those first). A chunk closes as
 * soon as it reaches the count, not when the next item arrives, so a full batch leaves at once.
 */
export class Batcher<T, C> {
  private items: Array<T> = []
  private bytes = 0

  constructor(private readonly options: BatcherOptions<T, C>) {
    if (options.maxCount < 1) throw new RangeError("maxCount must be at least 1")
  }

  get size(): number {
    return this.items.length
  }

  /** Adds an item; returns the chunks that closed because of it (zero, one or two). */
  add(item: T): ReadonlyArray<C> {
    const options = this.options
    // Most items close nothing: they share one empty answer rather than each allocating one.
    let closed: ReadonlyArray<C> = noChunks
    let bytes = options.sizeOf(item)
    if (this.items.length > 0 && options.envelopeBytes + this.bytes + options.separatorBytes + bytes > options.maxBytes) {
      closed = [this.close()]
      bytes = options.sizeOf(item)
    }
    this.bytes += this.items.length === 0 ? bytes : bytes + options.separatorBytes
    this.items.push(item)
    if (this.items.length >= options.maxCount) closed = [...closed, this.close()]
    return closed
  }

  /** Closes the open chunk, if it holds anything. */
  flush(): C | undefined {
    return this.items.length === 0 ? undefined : this.close()
  }

  private close(): C {
    const items = this.items
    const bytes = this.bytes
    this.items = []
    this.bytes = 0
    return this.options.close(items, bytes)
  }
}

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

const messageBytes = (message: BuiltMessage): number => message.bytes

const closeBatch = (messages: Array<BuiltMessage>, bytes: number): Batch => ({
  messages,
  messageBytes: bytes,
  firstRow: messages[0]!.rowNumber,
  lastRow: messages[messages.length - 1]!.rowNumber
})

/** The chunker as the pipeline uses it: messages into batches of a JSON array's bytes. */
export class BatchBuilder extends Batcher<BuiltMessage, Batch> {
  constructor(limits: BatchLimits) {
    super({ ...limits, separatorBytes: 1, sizeOf: messageBytes, close: closeBatch })
  }
}
