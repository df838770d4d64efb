import type { Batch } from "../batch/Batcher.ts"
import type { TransportError } from "./Transport.ts"

/**
 * Finding the messages a refused batch holds. Segment refuses a request as a whole (400, 413,
 * 422), so one bad message in a batch of 2,500 would take 2,499 good ones with it. The dispatcher
 * sends a refused batch again in halves, each half as it went, and so on down to single messages:
 * the parts the endpoint takes are delivered, a message refused alone is the answer.
 *
 * The cost: each halving level holds at most k refused parts when k messages are refused, and
 * each refused part costs two requests for its halves, so a batch of n messages costs at most
 * 1 + 2·k·⌈log2 n⌉ requests (retries aside): for one bad message in 1,000, at most 21.
 */

/** Statuses that may be about some messages of a batch (a bad message, a body too large). */
const statusesAboutMessages: ReadonlySet<number> = new Set([400, 413, 422])

/**
 * Whether a refusal is worth splitting the batch for. A 404, 501 or 505 is about the endpoint, not
 * the messages: every half would get it too.
 */
export const refusalSplits = (error: TransportError): boolean =>
  error.kind === "rejected" && error.status !== undefined && statusesAboutMessages.has(error.status)

/**
 * Refused messages found exactly in any batch before the search stops. A batch refused whatever
 * it holds (every message bad, or a receiver that refuses every body) would otherwise cost 2n − 1
 * requests; past this budget the refused parts not yet split are reported as they are.
 */
export const REFUSED_MESSAGES_FOUND_EXACTLY = 8

/** Requests a batch of `messages` may spend on its halves: enough to find 8 refused messages exactly. */
export const bisectionBudget = (messages: number): number =>
  messages < 2 ? 0 : 2 * REFUSED_MESSAGES_FOUND_EXACTLY * Math.ceil(Math.log2(messages))

/** A batch's bytes as the batcher measures them: messages joined with commas. */
const partOf = (messages: Batch["messages"]): Batch => ({
  messages,
  messageBytes: messages.reduce((sum, message) => sum + message.bytes, 0) + messages.length - 1,
  firstRow: messages[0]!.rowNumber,
  lastRow: messages[messages.length - 1]!.rowNumber
})

/** A batch of two messages or more in two parts, in order, the first the larger by at most one. */
export const halvesOf = (batch: Batch): readonly [Batch, Batch] => {
  const middle = Math.ceil(batch.messages.length / 2)
  return [partOf(batch.messages.slice(0, middle)), partOf(batch.messages.slice(middle))]
}
