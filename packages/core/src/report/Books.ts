import type { DeliveryReport, FatalError } from "./DeliveryReport.ts"

/**
 * The counts a run's books are made of. Every row read is in exactly one place, and so is every
 * message built:
 *
 * - `rows.read = rows.skipped + rows.rejected + rows.mapped`
 * - `messages.built = messages.accepted + messages.refused + messages.undelivered (+ planned)`
 *
 * `planned`: messages a dry run placed in batches it did not send (a dry run settles nothing).
 */
export interface Books {
  readonly rows: Pick<DeliveryReport["rows"], "read" | "skipped" | "rejected" | "mapped">
  readonly messages: Pick<DeliveryReport["messages"], "built" | "accepted" | "refused" | "undelivered">
  readonly planned?: number
}

/** What the books miss: positive for rows or messages unaccounted for, negative for ones counted twice. */
export interface Imbalance {
  readonly rows: number
  readonly messages: number
}

/** The imbalance of a run's books, or undefined when they balance. */
export const imbalanceOf = (books: Books): Imbalance | undefined => {
  const { rows, messages } = books
  const rowGap = rows.read - (rows.skipped + rows.rejected + rows.mapped)
  const messageGap = messages.built - (messages.accepted + messages.refused + messages.undelivered + (books.planned ?? 0))
  return rowGap === 0 && messageGap === 0 ? undefined : { rows: rowGap, messages: messageGap }
}

const plural = (count: number, one: string, many: string) => `${count.toLocaleString("en-US")} ${count === 1 ? one : many}`

const gapText = (gap: number, one: string, many: string, what: string): string =>
  gap > 0 ? `${plural(gap, one, many)} ${what} unaccounted for` : `${plural(-gap, one, many)} counted twice`

/**
 * What is wrong with a run's books, in words, or undefined when they balance: the count of rows
 * and messages unaccounted for, the sums that do not hold, and the fatal error the run had
 * already, if any.
 */
export const booksProblem = (books: Books, previous?: Pick<FatalError, "kind" | "message">): string | undefined => {
  const gap = imbalanceOf(books)
  if (gap === undefined) return undefined
  const { rows, messages } = books
  const parts: Array<string> = []
  if (gap.rows !== 0) {
    parts.push(
      `${gapText(gap.rows, "row", "rows", "read")} (read ${rows.read} ≠ skipped ${rows.skipped} + rejected ${rows.rejected} + mapped ${rows.mapped})`
    )
  }
  if (gap.messages !== 0) {
    const planned = books.planned === undefined || books.planned === 0 ? "" : ` + planned ${books.planned}`
    parts.push(
      `${gapText(gap.messages, "message", "messages", "built")} (built ${messages.built} ≠ accepted ${messages.accepted} + refused ${messages.refused} + undelivered ${messages.undelivered}${planned})`
    )
  }
  const before = previous === undefined ? "" : `; the run had stopped before that (${previous.kind}: ${previous.message})`
  return `the books do not balance: ${parts.join("; ")}. This is a bug in tablecast: please report it${before}`
}

/**
 * Checks a run's books. When they do not balance, the run is a failure of its own kind
 * (`unbalanced`, exit code 10), whatever else happened. Never "completed".
 */
export const checkBooks = (books: Books, previous?: FatalError): FatalError | undefined => {
  if (previous?.kind === "unbalanced") return previous
  const problem = booksProblem(books, previous)
  return problem === undefined ? undefined : { kind: "unbalanced", message: problem }
}
