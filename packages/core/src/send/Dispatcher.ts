import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import type { Batch } from "../batch/Batcher.ts"
import type { DeliveryTally } from "../report/DeliveryTally.ts"
import { EndpointUnreachable, type Fatal, internalDefect, WriteKeyRefused } from "../report/Fatal.ts"
import { Accepted, type Settlement, Undelivered } from "../report/Settlement.ts"
import type { TransportError, TransportShape } from "./Transport.ts"
import type { SendingPolicyShape } from "./SendingPolicy.ts"
import { bisectionBudget, halvesOf, refusalSplits } from "./Bisection.ts"

/**
 * What a transport's error says, once: the status or the kind, then the transport's own words
 * (the endpoint's message, the socket's error), which never repeat the status or the kind.
 */
export const describeError = (error: TransportError): string => {
  const what = error.status !== undefined ? `HTTP ${error.status}` : error.kind === "timeout" ? "timed out" : `${error.kind} error`
  return error.message === "" ? what : `${what}: ${error.message}`
}

const withStatus = (error: TransportError) => (error.status === undefined ? {} : { status: error.status })

/** How sending a batch or a part ended: taken (and settled), refused (not yet settled), or the run stopped. */
type Sent = { readonly _tag: "Accepted" } | { readonly _tag: "Refused"; readonly error: TransportError } | { readonly _tag: "Stopped" }

const accepted: Sent = { _tag: "Accepted" }
const stopped: Sent = { _tag: "Stopped" }

/** Requests a batch spent on halves of itself, and the most it may (`bisectionBudget`). */
interface BisectionSpend {
  spent: number
  readonly most: number
}

export interface DispatcherInput {
  readonly transport: TransportShape
  readonly policy: SendingPolicyShape
  readonly tally: DeliveryTally
  readonly settlement: Settlement
  /** Sending waits for this (the reject limit's first rows judged). */
  readonly opened: Effect.Effect<void>
  /** Plans batches instead of sending them. */
  readonly dryRun: boolean
  /** The retry budget, for the words of an `unreachable` stop. */
  readonly maxRetryMillis: number
  readonly stop: (fatal: Fatal) => Effect.Effect<void>
  /** After each batch (progress). */
  readonly afterBatch: Effect.Effect<void>
}

/**
 * The dispatcher: hands each closed batch, in order, to a fiber of its own that sends it — as many
 * at once as the sending policy admits (when none is admitted, the batch loop waits, the queue
 * fills and the reader waits in turn) — retries it as the policy says, and settles it.
 */
export class Dispatcher {
  /** Batches closed but not yet handed to a sender (waiting for room). */
  readonly waiting: Array<Batch> = []

  constructor(private readonly input: DispatcherInput) {}

  /** A batch closed, in stream order. */
  enqueue(batch: Batch): void {
    this.waiting.push(batch)
  }

  /** Sends the waiting batches, each once admitted. */
  get dispatchWaiting(): Effect.Effect<void> {
    return Effect.gen({ self: this }, function* () {
      const { settlement, policy, tally } = this.input
      while (this.waiting.length > 0) {
        const batch = this.waiting[0]!
        if (this.input.dryRun) {
          this.waiting.shift()
          settlement.planned(batch)
          continue
        }
        yield* this.input.opened
        yield* policy.admit
        this.waiting.shift()
        settlement.dispatched(batch)
        tally.batchInFlight(1)
        yield* Effect.forkChild(
          this.deliver(batch).pipe(
            // A defect (a transport that throws) is a bug: the batch is not confirmed, and the run stops.
            Effect.catchDefect((defect) =>
              settlement.settle(batch, Undelivered).pipe(Effect.andThen(this.input.stop(internalDefect("delivering a batch failed", defect))))
            ),
            Effect.ensuring(
              Effect.suspend(() => {
                tally.batchInFlight(-1)
                return policy.release.pipe(Effect.andThen(this.input.afterBatch))
              })
            )
          )
        )
      }
    })
  }

  /** Completes once every batch sent is settled. */
  get idle(): Effect.Effect<void> {
    return this.input.policy.idle
  }

  /** Sends one batch until it is settled or the run must stop. */
  deliver(batch: Batch): Effect.Effect<void> {
    return Effect.suspend(() => {
      this.input.tally.messagesPosted(batch.messages.length)
      return this.deliverPart(batch, false, { spent: 0, most: bisectionBudget(batch.messages.length) })
    }).pipe(Effect.asVoid)
  }

  /**
   * Sends a batch, or a part of a refused one, until it is settled or the run must stop. A part
   * the endpoint refuses for what it may hold (400, 413, 422) is split in halves, sent one after
   * the other, within the batch's budget of requests (`send/Bisection`).
   */
  private deliverPart(part: Batch, isPart: boolean, budget: BisectionSpend): Effect.Effect<"settled" | "stopped"> {
    const { settlement } = this.input
    return Effect.gen({ self: this }, function* () {
      const sent = yield* this.send(part, isPart)
      if (sent._tag !== "Refused") return sent._tag === "Accepted" ? "settled" : "stopped"
      const error = sent.error
      const splits = part.messages.length > 1 && refusalSplits(error)
      if (splits && budget.spent + 2 <= budget.most) {
        const halves = halvesOf(part)
        // A stop settled the part meanwhile: its halves are not sent.
        if (!settlement.split(part, halves)) return "stopped"
        budget.spent += 2
        for (const half of halves) {
          if ((yield* this.deliverPart(half, true, budget)) === "stopped") return "stopped"
        }
        return "settled"
      }
      const reason =
        part.messages.length === 1 && refusalSplits(error)
          ? `the endpoint refused the message${isPart ? ", sent alone after its batch was refused" : ""} (${describeError(error)})`
          : splits
            ? `the endpoint refused a part of ${part.messages.length} messages of its batch, holding this one (${describeError(error)}); the search for the messages refused stopped at its budget of ${budget.most} requests`
            : `the endpoint refused the ${isPart ? "part of the batch" : "batch"} as a whole (${describeError(error)})`
      yield* settlement.settle(part, { _tag: "Refused", reason, status: error.status })
      return "settled"
    })
  }
  /**
   * Sends a batch or a part as the sending policy says, retrying it, until the endpoint takes it
   * (settled accepted here), refuses it (the caller settles it or splits it), or the run must stop.
   */
  private send(batch: Batch, isPart: boolean): Effect.Effect<Sent> {
    const { transport, policy, tally, settlement, stop } = this.input
    return Effect.gen({ self: this }, function* () {
      const messages = batch.messages.map((message) => message.json)
      const firstTry = yield* Clock.currentTimeMillis
      for (let attempt = 1; ; attempt++) {
        yield* policy.beforeAttempt
        tally.requestMade(transport.envelopeBytes + batch.messageBytes, isPart)
        const started = yield* Clock.currentTimeMillis
        // A 2xx read is settled as accepted before anything can interrupt the fiber: only the send
        // itself may be cut short by a stop, never the step from its answer to the books.
        const answered = yield* Effect.uninterruptibleMask((restore) =>
          Effect.gen(function* () {
            const sent = yield* Effect.result(restore(transport.send({ messages, messageBytes: batch.messageBytes, attempt })))
            const answeredAt = yield* Clock.currentTimeMillis
            if (Result.isSuccess(sent)) yield* settlement.settle(batch, Accepted)
            return { sent, answeredAt }
          })
        )
        const now = answered.answeredAt
        if (Result.isSuccess(answered.sent)) {
          // The sending policy hears of the latency after the batch is settled: a policy that waits
          // here can never turn an answer already read into an undelivered batch.
          yield* policy.accepted(now - started)
          return accepted
        }
        const sent = answered.sent
        const error = sent.failure
        const decision = yield* policy.failed(error, attempt, now - firstTry, now - started)
        if (decision._tag === "Retry") {
          tally.retryScheduled()
          yield* Effect.sleep(decision.delayMillis)
          continue
        }
        switch (decision.reason) {
          case "auth":
            // The batch stays in flight: the stop settles it with everything else unsent.
            yield* stop(
              new WriteKeyRefused({
                message: `the endpoint refused the write key (${describeError(error)}); check the key and the region or endpoint`,
                ...withStatus(error)
              })
            )
            return stopped
          case "refused":
            return { _tag: "Refused", error }
          case "exhausted": {
            // The endpoint did not take a batch within the retry budget: it cannot be reached, and
            // every other batch would burn its own budget against it. The batch stays in flight:
            // the stop settles it with everything else unsent.
            const budget = decision.by === "time" ? `the budget is ${this.input.maxRetryMillis / 1000} s` : `at most ${attempt} attempts`
            yield* stop(
              new EndpointUnreachable({
                message: `the endpoint did not accept a batch within the retry budget (${attempt} attempt${attempt === 1 ? "" : "s"} over ${Math.round((now - firstTry) / 1000)} s, ${budget}; last: ${describeError(error)}); the run stopped`,
                ...withStatus(error)
              })
            )
            return stopped
          }
        }
      }
    })
  }
}
