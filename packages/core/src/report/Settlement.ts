import * as Effect from "effect/Effect"
import type { AckWatermark } from "../resume/AckWatermark.ts"
import type { Batch } from "../batch/Batcher.ts"
import type { DeliveryTally } from "./DeliveryTally.ts"
import type { BuiltMessage } from "../map/MessageMapper.ts"
import type { RejectedRow } from "./RejectSink.ts"
import { type Fatal, internalDefect, StateFailed } from "./Fatal.ts"
import type { RejectWriter } from "./RejectWriter.ts"

/**
 * What became of a batch, or of a part of one (a refused batch is sent again in halves to find the
 * messages the endpoint refuses): the endpoint took it, refused it, or it was not delivered.
 */
export type BatchOutcome =
  | { readonly _tag: "Accepted" }
  | { readonly _tag: "Refused"; readonly reason: string; readonly status?: number | undefined }
  | { readonly _tag: "Undelivered" }

export const Accepted: BatchOutcome = { _tag: "Accepted" }
export const Undelivered: BatchOutcome = { _tag: "Undelivered" }

/** Told of each batch once it is settled (an incremental sync advances its snapshot there). */
/** A settle hook's failure: a state store that could not record the batch (it stops the run as `state`). */
export interface SettleFailure {
  readonly _tag: "StateError"
  readonly message: string
}

export type OnSettled = (messages: ReadonlyArray<BuiltMessage>, accepted: boolean) => Effect.Effect<void, SettleFailure>

export interface SettlementInput {
  readonly tally: DeliveryTally
  readonly acks: AckWatermark
  readonly writeRejects: RejectWriter
  readonly stop: (fatal: Fatal) => Effect.Effect<void>
  readonly onSettled?: OnSettled | undefined
}

const rejectsOf = (messages: ReadonlyArray<BuiltMessage>, reason: string, status?: number) =>
  messages.map(
    (message): RejectedRow => ({
      row: message.rowNumber,
      stage: "batch-refused",
      reason,
      messageId: message.messageId,
      ...(status === undefined ? {} : { status })
    })
  )

/**
 * Settlement into the tally: every message handed to the queue is settled exactly once —
 * accepted, refused (its rows reported), undelivered, or (dry run) planned — and the checkpoint's
 * watermark learns of each batch settled.
 */
export class Settlement {
  /**
   * Every message handed to the queue and not yet settled (nor planned, in a dry run). A stop counts
   * what is left here as undelivered, rather than searching the reader's chunk, the queue, the
   * builder and the batches waiting: each of those can be caught mid-move by an interruption (a take
   * that completes as its fiber is cut), this set cannot.
   */
  readonly #unsettled = new Set<BuiltMessage>()
  /** Batches handed to a sender and not yet settled, and parts of batches split (`split`). */
  readonly #inFlight = new Set<Batch>()
  /** A split batch's parts not yet settled; the batch is settled once the last one is. */
  readonly #openParts = new Map<Batch, Set<Batch>>()
  /** The batch each part was split from (the one the watermark knows). */
  readonly #batchOf = new Map<Batch, Batch>()

  constructor(private readonly input: SettlementInput) {}

  /** Messages handed to the queue. */
  queued(messages: ReadonlyArray<BuiltMessage>): void {
    for (const message of messages) this.#unsettled.add(message)
  }

  /** A dry run settles a batch by planning it. */
  planned(batch: Batch): void {
    this.input.tally.settlePlanned(batch.messages.length)
    for (const message of batch.messages) this.#unsettled.delete(message)
    // Let the watermark drop it too: a dry run keeps no checkpoint, and a batch it held would keep
    // its messages to the end of the run (memory growing with the table).
    this.input.acks.settle(batch, "final")
  }

  /** A batch handed to a sender: settled later, once. */
  dispatched(batch: Batch): void {
    this.#inFlight.add(batch)
  }

  /**
   * A batch (or a part of one) in flight is replaced by `parts`, which share its messages: each is
   * settled on its own, and the batch is settled for the watermark once every part is. False when
   * it is not in flight (a stop settled it): nothing changes and the parts must not be sent.
   */
  split(batch: Batch, parts: ReadonlyArray<Batch>): boolean {
    if (!this.#inFlight.delete(batch)) return false
    const whole = this.#batchOf.get(batch) ?? batch
    this.#batchOf.delete(batch)
    let open = this.#openParts.get(whole)
    if (open === undefined) {
      open = new Set()
      this.#openParts.set(whole, open)
    }
    open.delete(batch)
    for (const part of parts) {
      open.add(part)
      this.#batchOf.set(part, whole)
      this.#inFlight.add(part)
    }
    return true
  }

  /**
   * Settles a batch, or a part of one, once, whatever happened to it. A batch that was split
   * settles its open parts with the outcome.
   */
  settle(batch: Batch, outcome: BatchOutcome): Effect.Effect<void> {
    return Effect.suspend(() => {
      const parts = this.#openParts.get(batch)
      if (parts !== undefined && !this.#inFlight.has(batch)) {
        return Effect.forEach([...parts], (part) => this.settle(part, outcome), { discard: true })
      }
      const { tally, onSettled, stop } = this.input
      if (!this.#inFlight.delete(batch)) return Effect.void
      for (const message of batch.messages) this.#unsettled.delete(message)
      this.#settleForWatermark(batch, outcome)
      const count = batch.messages.length
      const told =
        onSettled === undefined
          ? Effect.void
          : onSettled(batch.messages, outcome._tag === "Accepted").pipe(
              Effect.catchTag("StateError", (error) => stop(new StateFailed({ message: error.message }))),
              Effect.catchDefect((defect) => stop(internalDefect("telling a settled batch failed", defect)))
            )
      switch (outcome._tag) {
        case "Accepted":
          tally.settleAccepted(count)
          return told
        case "Undelivered":
          // Only a run-level failure leaves a batch undelivered (write key refused, endpoint
          // unreachable, a stop): one fatal error in the report, with the rows' ranges, and the
          // checkpoint lists them for the next run; the rejects are for rows rejected for what they are.
          tally.settleUndelivered(count, 1)
          return told
        case "Refused":
          tally.settleRefused(count)
          return this.input.writeRejects(rejectsOf(batch.messages, outcome.reason, outcome.status)).pipe(Effect.andThen(told))
      }
    })
  }

  /**
   * Tells the watermark: a whole batch as it ended; a part only once its batch's last part is
   * settled, the rows of an undelivered part listed as it ends (the resume sends those again, not
   * the parts delivered or refused).
   */
  #settleForWatermark(batch: Batch, outcome: BatchOutcome): void {
    const { acks } = this.input
    const whole = this.#batchOf.get(batch)
    if (whole === undefined) {
      acks.settle(batch, outcome._tag === "Undelivered" ? "failed" : "final")
      return
    }
    this.#batchOf.delete(batch)
    if (outcome._tag === "Undelivered") acks.abandon(batch.messages.map((message) => message.rowNumber))
    const open = this.#openParts.get(whole)!
    open.delete(batch)
    if (open.size > 0) return
    this.#openParts.delete(whole)
    acks.settle(whole, "final")
  }

  /**
   * The run stopped at once: what is in flight is settled undelivered, and whatever else was
   * queued, batched or waiting for a slot (never sent, or not confirmed) is counted undelivered
   * and listed, so the watermark can pass it and the next run sends only those rows and the rest.
   */
  settleStopped(waiting: ReadonlyArray<Batch>): Effect.Effect<void> {
    const { acks, tally } = this.input
    return Effect.forEach([...this.#inFlight], (batch) => this.settle(batch, Undelivered), { discard: true }).pipe(
      Effect.andThen(
        Effect.sync(() => {
          const leftovers = [...this.#unsettled]
          for (const batch of waiting) acks.settle(batch, "failed")
          acks.abandon(leftovers.map((message) => message.rowNumber))
          tally.settleUndelivered(leftovers.length, 0)
        })
      )
    )
  }
}
