import type { DeliveryReport, RejectedRow } from "@tablecast/core"
import type { Cell, HostileCase } from "./HostileTable.ts"
import { EVENT, userIdOf } from "./TableRender.ts"

// The properties every generated case must hold, checked from the case's own model (the table that
// was generated) against what the receiver stored, what the recording proxy saw, and what the tool
// reported. Each check returns violations rather than throwing at the first, so one run lists every
// property a case breaks (and the suite's table counts them).

export const Properties = [
  /** A report came back (a report file, or the edge's answer body). */
  "report-present",
  /** rows.read = skipped + rejected + mapped; messages.built = accepted + refused + undelivered. */
  "books-balance",
  /** Every row of the input was read (a run not stopped by a fatal error reads the whole table). */
  "rows-read",
  /** A run that lost rows (books unbalanced, rows unaccounted for) is never "completed" with exit 0 / 200. */
  "unbalanced-not-completed",
  /** Deduplicated by messageId: accepted ⊆ received ⊆ accepted ∪ undelivered; refused never stored. */
  "receiver-subsets",
  /** No two distinct rows share a messageId (identical rows are distinct rows). */
  "distinct-ids",
  /** Each row is in exactly one of: accepted (at the receiver), rejected, refused, undelivered. */
  "every-row-once",
  /** Rows that must be rejected are (invalid UTF-8, over 32 KB); no clean row is; refusals match the 4xx batches. */
  "rejects-justified",
  /** What arrived is the row: its user, its values exactly (text byte for byte, numbers without lost digits). */
  "content-intact",
  /** One column, one type: a column's values arrive all as numbers or all as strings. */
  "one-column-one-type",
  /** The exit code (CLI) or HTTP status (edge) the docs give for what happened. */
  "exit-code",
  /** Terminal output carries no raw control character from the input. */
  "output-escaped",
  /** The write key appears in no output. */
  "no-secret",
  /** Edge: reject reasons name the row, column and rule, never the row's values (docs/edge.md). */
  "no-values-in-reasons"
] as const
export type Property = (typeof Properties)[number]

export interface Violation {
  readonly property: Property
  readonly detail: string
}

/** A message as the receiver stored it. */
export interface StoredMessage {
  readonly type?: string
  readonly userId?: string
  readonly event?: string
  readonly messageId: string
  readonly properties?: Record<string, unknown>
}

/** What one run of a case produced. */
export interface Observed {
  readonly report: DeliveryReport | undefined
  /** Every rejected/refused/undelivered row the tool listed (the CLI's rejects file; the edge's sample). */
  readonly rejects: ReadonlyArray<RejectedRow>
  /** Every message the receiver stored, copies included. */
  readonly received: ReadonlyArray<StoredMessage>
  /** The messageIds of 2xx answers the recording proxy handed back whole to the client. */
  readonly acknowledged: ReadonlySet<string>
  /** Every request the recording proxy saw, with its answer (a status, "reset" or "gone"). */
  readonly requests: ReadonlyArray<{
    readonly number: number
    readonly messageIds: ReadonlyArray<string>
    readonly status: number | string | undefined
  }>
  /** The CLI's exit code and terminal output, or the edge's HTTP status. */
  readonly outcome:
    | { readonly kind: "cli"; readonly code: number | null; readonly terminal: string }
    | { readonly kind: "http"; readonly status: number }
  /** Everything the tool printed or wrote, for the secret check. */
  readonly outputs: ReadonlyArray<string>
  readonly writeKey: string
  /** The input was a CSV (its reader trims header names) rather than JSON rows (keys kept as they are). */
  readonly csv: boolean
}

/** The documented exit codes (docs/guarantees.md, plus 10 unbalanced and 11 outputFailed from issue #14). */
export const ExitCodes = { ok: 0, rowsRejected: 3, incomplete: 4, unbalanced: 10 } as const

/**
 * The exit code of each run-level failure a hostile table may legitimately end in (apps/cli's
 * exitCodeOf, and issue #14's new kinds). Any other kind — "internal" above all — is a failure of
 * the tool, not an outcome of the input.
 */
export const FatalExitCodes: Readonly<Record<string, number>> = { unreachable: 4, "max-rejects": 3, unbalanced: 10 }

// -- what the table says about a row --------------------------------------------------------------

/** A mixed column's value classes: decimals (with or without trailing zeros), huge integers, words. */
const valueClass = (cell: Cell): string => (cell.kind === "word" ? "word" : cell.kind === "huge-int" ? "huge" : "decimal")

/** Which mixed columns hold more than one class of value: a per-column type may reject some of them. */
const heterogeneousColumns = (hostile: HostileCase): ReadonlySet<number> => {
  const result = new Set<number>()
  hostile.columns.forEach((column, index) => {
    if (column.kind !== "mixed") return
    if (new Set(hostile.rows.map((row) => valueClass(row.cells[index]!))).size > 1) result.add(index)
  })
  return result
}

export type Fate = "must-reject" | "may-reject" | "must-map"

/**
 * What the documented behaviour allows for a row: invalid UTF-8 and a 10 MB value are rejected
 * (the source's and the 32 KB rules); a JSON value nested thousands deep may be rejected with a
 * reason (the depth limit) or delivered whole; a value of a mixed column may be rejected when it
 * does not fit the type decided for the column; anything else is mapped.
 */
export const fateOf = (hostile: HostileCase, rowIndex: number, heterogeneous: ReadonlySet<number> = heterogeneousColumns(hostile)): Fate => {
  const cells = hostile.rows[rowIndex]!.cells
  if (cells.some((cell) => cell.invalidBytes !== undefined || cell.kind === "big")) return "must-reject"
  if (cells.some((cell, index) => cell.kind === "deep-json" || heterogeneous.has(index))) return "may-reject"
  return "must-map"
}

/**
 * The property a header becomes: its name with surrounding whitespace trimmed (both CSV readers,
 * packages/source-csv and apps/edge, trim header names — String.prototype.trim, so \t \n \v \f
 * \r too); everything else in the name, control characters and NULs included, is kept. JSON rows' keys are
 * kept whole.
 */
export const propertyName = (header: string, csv: boolean): string => (csv ? header.trim() : header)

// -- values ---------------------------------------------------------------------------------------

/** A decimal text in canonical form (no sign of zero, no leading or trailing zeros): "0120.50" → "120.5". */
export const canonicalDecimal = (text: string): string | undefined => {
  const match = /^(-)?(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/i.exec(text.trim())
  if (match === null) return undefined
  let digits = `${match[2]}${match[3] ?? ""}`
  let point = match[2]!.length + Number(match[4] ?? 0)
  if (point > digits.length) digits = digits.padEnd(point, "0")
  if (point < 0) {
    digits = `${"0".repeat(-point)}${digits}`
    point = 0
  }
  const whole = digits.slice(0, point).replace(/^0+/, "") || "0"
  const fraction = digits.slice(point).replace(/0+$/, "")
  const body = fraction === "" ? whole : `${whole}.${fraction}`
  return match[1] !== undefined && body !== "0" ? `-${body}` : body
}

/** The nesting depth of a JSON value, walked without recursion (a deep one would overflow the stack). */
const depthOf = (value: unknown): number => {
  let max = 0
  const stack: Array<[unknown, number]> = [[value, 0]]
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!
    if (typeof item === "object" && item !== null) {
      max = Math.max(max, depth + 1)
      for (const child of Object.values(item)) stack.push([child, depth + 1])
    }
  }
  return max
}

const show = (value: unknown): string => {
  const text = typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value))
  return text.length > 80 ? `${text.slice(0, 77)}...` : text
}

/** Why a received value is not the cell's (undefined when it is). */
const valueProblem = (cell: Cell, value: unknown): string | undefined => {
  switch (cell.kind) {
    case "text":
    case "big":
      return value === cell.text ? undefined : `expected the text ${show(cell.text)}, got ${show(value)}`
    case "json":
      return JSON.stringify(value) === JSON.stringify(JSON.parse(cell.text)) ? undefined : `expected the JSON ${cell.text}, got ${show(value)}`
    case "deep-json":
      return depthOf(value) === cell.depth ? undefined : `expected a JSON value ${cell.depth} deep, got one ${depthOf(value)} deep`
    default:
      if (typeof value === "string") return value === cell.text ? undefined : `expected ${show(cell.text)} (as a string), got ${show(value)}`
      if (typeof value === "number") {
        return canonicalDecimal(String(value)) === canonicalDecimal(cell.text)
          ? undefined
          : `${show(cell.text)} arrived as the number ${String(value)}: digits lost`
      }
      return `expected ${show(cell.text)}, got ${show(value)}`
  }
}

// -- the check ------------------------------------------------------------------------------------

const isRejected = (reject: RejectedRow) => reject.stage === "source" || reject.stage === "validation"
const C0_C1 = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/

/** Every violation of every property by one run of a case. */
export const checkCase = (hostile: HostileCase, observed: Observed): Array<Violation> => {
  const violations: Array<Violation> = []
  const fail = (property: Property, detail: string) => violations.push({ property, detail })
  const { report } = observed
  const n = hostile.rows.length
  const heterogeneous = heterogeneousColumns(hostile)

  // Rejects by row: each row at most once.
  const rejectsByRow = new Map<number, RejectedRow>()
  for (const reject of observed.rejects) {
    if (!Number.isInteger(reject.row) || reject.row < 1 || reject.row > n) {
      fail("every-row-once", `a reject names row ${reject.row}, not a row of the ${n}-row input`)
      continue
    }
    if (rejectsByRow.has(reject.row))
      fail("every-row-once", `row ${reject.row} is listed twice in the rejects (${rejectsByRow.get(reject.row)!.stage}, ${reject.stage})`)
    else rejectsByRow.set(reject.row, reject)
  }
  const refusedIds = new Set(
    observed.rejects.filter((reject) => reject.stage === "batch-refused" && reject.messageId !== undefined).map((reject) => reject.messageId!)
  )

  // Received, deduplicated by messageId.
  const receivedById = new Map<string, StoredMessage>()
  for (const message of observed.received) {
    const earlier = receivedById.get(message.messageId)
    if (earlier !== undefined && JSON.stringify(earlier.properties) !== JSON.stringify(message.properties)) {
      fail("distinct-ids", `messageId ${message.messageId} arrived with two different contents (users ${earlier.userId}, ${message.userId})`)
    }
    if (earlier === undefined) receivedById.set(message.messageId, message)
  }

  // 1. The report, and its books.
  if (report === undefined) {
    fail("report-present", "no report")
  } else {
    const { rows, messages } = report
    if (rows.read !== rows.skipped + rows.rejected + rows.mapped) {
      fail("books-balance", `rows: read ${rows.read} ≠ skipped ${rows.skipped} + rejected ${rows.rejected} + mapped ${rows.mapped}`)
    }
    if (messages.built !== messages.accepted + messages.refused + messages.undelivered) {
      fail(
        "books-balance",
        `messages: built ${messages.built} ≠ accepted ${messages.accepted} + refused ${messages.refused} + undelivered ${messages.undelivered}`
      )
    }
    if (report.fatal === undefined && rows.read !== n) fail("rows-read", `read ${rows.read} of the ${n} rows, with no fatal error`)
    if (report.rejects.total !== observed.rejects.length) {
      fail("every-row-once", `the report counts ${report.rejects.total} rejects, the tool listed ${observed.rejects.length}`)
    }
  }

  // 2. The rows the report lists undelivered: its `undeliveredRows` ranges (a range may span rows
  // rejected in between, which the rejects list), and any reject of stage "undelivered".
  const rowsRead = report?.rows.read ?? n
  const undeliveredRows = new Set(observed.rejects.filter((reject) => reject.stage === "undelivered").map((reject) => reject.row))
  for (const [from, to] of report?.undeliveredRows ?? []) {
    if (!(Number.isInteger(from) && Number.isInteger(to) && from >= 1 && from <= to && to <= rowsRead)) {
      fail("every-row-once", `the report lists undelivered rows ${from}–${to}, not rows of the ${rowsRead} read`)
      continue
    }
    for (let row = from; row <= to; row++) {
      const reject = rejectsByRow.get(row)
      if (reject === undefined || reject.stage === "undelivered") undeliveredRows.add(row)
      else if (!isRejected(reject)) fail("every-row-once", `row ${row} is listed both undelivered and ${reject.stage}`)
    }
  }
  // Undelivered rows are listed (above), except after a run-level failure (a fatal error), where
  // the report may only count them: `unlisted` of them.
  const received = new Set(receivedById.keys())
  const unlisted = report === undefined ? 0 : report.messages.undelivered - undeliveredRows.size
  if (unlisted < 0) fail("every-row-once", `${undeliveredRows.size} rows listed undelivered, the report counts ${report?.messages.undelivered}`)
  if (unlisted > 0 && report?.fatal === undefined)
    fail("every-row-once", `${unlisted} undelivered messages are not listed, and no run-level failure says why`)
  for (const id of refusedIds) if (received.has(id)) fail("receiver-subsets", `messageId ${id} is reported refused but the receiver stored it`)
  for (const id of observed.acknowledged) {
    if (!received.has(id)) fail("receiver-subsets", `messageId ${id} was acknowledged but the receiver has no such message`)
  }
  for (const request of observed.requests) {
    if (new Set(request.messageIds).size !== request.messageIds.length) {
      fail(
        "distinct-ids",
        `request ${request.number} carried ${request.messageIds.length} messages under ${new Set(request.messageIds).size} distinct messageIds`
      )
    }
  }

  // 3. Rows, group by group (identical rows form a group; a group's rows differ only by position, so
  // the receiver's messages of a group are matched to its rows by count). The rows of a group the
  // report takes as accepted are those read and not listed (rejected, refused or undelivered): each
  // must have been acknowledged under an id of its own. "Acknowledged" is what the recording proxy
  // handed back with a 2xx; the proxy counts a 2xx once it is written to the socket, and cannot see
  // whether the client read it: a client whose timeout fired, or whose run stopped at once, as the
  // answer was written had already closed the socket (a loaded machine's proxy learns of the close
  // only after its write) and rightly reports the batch undelivered — a lost answer, stored by the
  // receiver. So an acknowledgement beyond the accepted rows must belong to a row the report lists
  // undelivered, and what the receiver stored is at most the accepted rows plus the undelivered ones.
  const rowsOfGroup = new Map<number, Array<number>>()
  hostile.rows.forEach((row, index) => {
    rowsOfGroup.set(row.group, [...(rowsOfGroup.get(row.group) ?? []), index + 1])
  })
  const receivedByUser = new Map<string, Array<StoredMessage>>()
  for (const message of receivedById.values())
    receivedByUser.set(String(message.userId), [...(receivedByUser.get(String(message.userId)) ?? []), message])
  const knownUsers = new Set([...rowsOfGroup.keys()].map(userIdOf))
  for (const user of receivedByUser.keys())
    if (!knownUsers.has(user)) fail("content-intact", `the receiver holds messages for user ${show(user)}, no row of the input`)

  let unaccountedTotal = 0
  let acceptedTotal = 0
  let acknowledgedTotal = 0
  for (const [group, rowNumbers] of rowsOfGroup) {
    const read = rowNumbers.filter((row) => row <= rowsRead)
    const listed = read.filter((row) => rejectsByRow.has(row) || undeliveredRows.has(row))
    const listedUndelivered = read.filter((row) => undeliveredRows.has(row)).length
    const messages = receivedByUser.get(userIdOf(group)) ?? []
    const acknowledged = messages.filter((message) => observed.acknowledged.has(message.messageId)).length
    const acceptedRows = read.length - listed.length
    const identical = rowNumbers.length > 1 ? ` (${rowNumbers.length} identical rows)` : ""
    // Rows taken as accepted that the receiver never acknowledged: lost, unless the report counts them (unlisted).
    const unaccounted = Math.max(0, acceptedRows - acknowledged)
    if (unaccounted > 0 && unlisted <= 0) {
      fail(
        "every-row-once",
        `rows ${rowNumbers.join(", ")}${identical}: ${unaccounted} neither accepted at the receiver nor listed as rejected, refused or undelivered`
      )
    }
    if (acknowledged - acceptedRows > listedUndelivered) {
      fail(
        "receiver-subsets",
        `rows ${rowNumbers.join(", ")}${identical}: ${acknowledged} messageIds acknowledged to the client for ${acceptedRows} accepted row(s); only ${listedUndelivered} listed undelivered could have lost their answer`
      )
    }
    if (messages.length > acceptedRows + listedUndelivered) {
      fail(
        "receiver-subsets",
        `rows ${rowNumbers.join(", ")}${identical}: the receiver stored ${messages.length} messageIds for ${acceptedRows} accepted and ${listedUndelivered} undelivered row(s)`
      )
    }
    unaccountedTotal += unaccounted
    acceptedTotal += acceptedRows - unaccounted
    acknowledgedTotal += acknowledged
    // Distinct rows, distinct ids: every non-rejected row of a group of identical rows that was
    // read has its own messageId (a row never read has none; every-row-once judges it).
    const nonRejected = read.filter((row) => !(rejectsByRow.has(row) && isRejected(rejectsByRow.get(row)!)))
    const ids = new Set([
      ...messages.map((message) => message.messageId),
      ...nonRejected.map((row) => rejectsByRow.get(row)?.messageId).filter((id): id is string => id !== undefined)
    ])
    const unknown = listedUndelivered + (unlisted > 0 ? unaccounted : 0)
    if (rowNumbers.length > 1 && ids.size < nonRejected.length - unknown) {
      fail("distinct-ids", `rows ${nonRejected.join(", ")}${identical} went out under ${ids.size} distinct messageId(s)`)
    }
    // Content of what arrived.
    const cells = hostile.rows[rowNumbers[0]! - 1]!.cells
    for (const message of messages) {
      if (message.type !== "track" || message.event !== EVENT)
        fail("content-intact", `row ${rowNumbers[0]}: a ${message.type} "${message.event}" message`)
      const properties = message.properties ?? {}
      const names = new Set(Object.keys(properties))
      hostile.columns.forEach((column, index) => {
        const name = propertyName(column.name, observed.csv)
        if (!names.has(name)) {
          fail("content-intact", `row ${rowNumbers[0]}: column ${show(name)} is missing from the properties`)
          return
        }
        names.delete(name)
        const problem = valueProblem(cells[index]!, properties[name])
        if (problem !== undefined) fail("content-intact", `row ${rowNumbers[0]}, column ${show(name)}: ${problem}`)
      })
      if (names.size > 0) fail("content-intact", `row ${rowNumbers[0]}: properties not in the input: ${[...names].map(show).join(", ")}`)
    }
  }
  // The report's accepted count is the rows it takes as accepted, each acknowledged by the receiver.
  if (report !== undefined && acceptedTotal !== report.messages.accepted) {
    fail(
      "receiver-subsets",
      `${acknowledgedTotal} distinct messageIds were acknowledged to the client, ${acceptedTotal} of them for rows neither listed nor rejected; the report accepted ${report.messages.accepted}`
    )
  }
  const lost = unaccountedTotal - Math.max(0, unlisted)
  if (unlisted > 0 && lost !== 0) {
    fail(
      "every-row-once",
      `${unaccountedTotal} rows neither accepted nor listed; the report counts ${Math.max(0, unlisted)} undelivered it does not list`
    )
  }

  // 4. Each reject is justified, and each row that must be rejected is.
  hostile.rows.forEach((_, index) => {
    const row = index + 1
    const fate = fateOf(hostile, index, heterogeneous)
    const reject = rejectsByRow.get(row)
    if (fate === "must-reject" && (reject === undefined || !isRejected(reject))) {
      fail(
        "rejects-justified",
        `row ${row} (${describeRow(hostile, index)}) must be rejected; it is ${reject === undefined ? "not listed" : `listed as ${reject.stage}`}`
      )
    }
    if (fate === "must-map" && reject !== undefined && isRejected(reject)) {
      fail("rejects-justified", `row ${row} holds nothing to reject, yet was rejected (${reject.stage}: ${show(reject.reason)})`)
    }
  })
  // A refused batch is sent again in halves to find the messages refused: a message's last
  // request is the endpoint's final word on it.
  const lastStatus = new Map<string, number | string | undefined>()
  for (const request of [...observed.requests].sort((a, b) => a.number - b.number)) {
    for (const id of request.messageIds) lastStatus.set(id, request.status)
  }
  const refusedLast = (status: number | string | undefined) => typeof status === "number" && status >= 400 && status < 500
  const refusedRejects = observed.rejects.filter((reject) => reject.stage === "batch-refused")
  for (const reject of refusedRejects) {
    if (reject.messageId === undefined || !refusedLast(lastStatus.get(reject.messageId))) {
      fail("rejects-justified", `row ${reject.row} is reported refused, but the last request holding its messageId was not answered 4xx`)
    }
  }
  const refusedMessages = [...lastStatus.values()].filter(refusedLast).length
  // A stop may cut a refused batch's search short: its parts are then undelivered, not refused.
  const stoppedEarly = observed.report?.fatal !== undefined
  if (stoppedEarly ? refusedMessages < refusedRejects.length : refusedMessages !== refusedRejects.length) {
    fail(
      "rejects-justified",
      `${refusedMessages} messages were last sent in requests answered 4xx; ${refusedRejects.length} rows are reported refused`
    )
  }

  // 5. One column, one type.
  hostile.columns.forEach((column) => {
    if (column.kind !== "mixed") return
    const types = new Set<string>()
    for (const message of receivedById.values()) {
      const value = message.properties?.[propertyName(column.name, observed.csv)]
      if (value !== undefined) types.add(typeof value)
    }
    if (types.size > 1) fail("one-column-one-type", `column ${show(column.name)} arrived as ${[...types].join(" and ")}`)
  })

  // 6. What the run said about itself.
  const anyRejected = observed.rejects.some(isRejected)
  const anyUnsettled = observed.rejects.some((reject) => !isRejected(reject)) || undeliveredRows.size > 0 || unlisted > 0
  const unbalanced =
    lost > 0 ||
    (report !== undefined &&
      (report.rows.read !== report.rows.skipped + report.rows.rejected + report.rows.mapped ||
        report.messages.built !== report.messages.accepted + report.messages.refused + report.messages.undelivered ||
        (report.fatal === undefined && report.rows.read !== n)))
  const completed = report?.outcome === "completed"
  if (observed.outcome.kind === "cli") {
    const code = observed.outcome.code
    if (unbalanced && (completed || code === 0))
      fail("unbalanced-not-completed", `${lost} row(s) unaccounted for, yet outcome ${report?.outcome}, exit ${code}`)
    const fatal = report?.fatal
    const expected = unbalanced
      ? ExitCodes.unbalanced
      : fatal !== undefined
        ? (FatalExitCodes[fatal.kind] ?? -1)
        : anyUnsettled
          ? ExitCodes.incomplete
          : anyRejected
            ? ExitCodes.rowsRejected
            : ExitCodes.ok
    if (fatal !== undefined && FatalExitCodes[fatal.kind] === undefined)
      fail("exit-code", `the run ended in a "${fatal.kind}" failure: ${show(fatal.message)}`)
    if (code !== expected && expected >= 0) {
      fail(
        "exit-code",
        `exit ${code}, expected ${expected} (${unbalanced ? "rows unaccounted for" : fatal !== undefined ? `a "${fatal.kind}" failure` : anyUnsettled ? "rows refused or undelivered" : anyRejected ? "rows rejected" : "every row delivered"})`
      )
    }
    if (report !== undefined && completed !== (code === 0 || code === 3)) fail("exit-code", `outcome ${report.outcome} with exit ${code}`)
    const control = C0_C1.exec(observed.outcome.terminal)
    if (control !== null) {
      const at = control.index
      fail(
        "output-escaped",
        `raw U+${control[0].codePointAt(0)!.toString(16).padStart(4, "0")} in the terminal output: ${JSON.stringify(observed.outcome.terminal.slice(Math.max(0, at - 40), at + 20))}`
      )
    }
  } else {
    const status = observed.outcome.status
    if (unbalanced && (completed || status === 200))
      fail("unbalanced-not-completed", `${lost} row(s) unaccounted for, yet outcome ${report?.outcome}, HTTP ${status}`)
    const expected = unbalanced || anyUnsettled || report?.fatal !== undefined ? 502 : 200
    if (status !== expected)
      fail(
        "exit-code",
        `HTTP ${status}, expected ${expected} (${unbalanced ? "rows unaccounted for" : anyUnsettled ? "rows refused or undelivered" : "every valid row delivered"})`
      )
  }
  for (const text of observed.outputs) if (text.includes(observed.writeKey)) fail("no-secret", "the write key appears in the output")
  if (observed.outcome.kind === "http") {
    for (const reject of observed.rejects) {
      const row = hostile.rows[reject.row - 1]
      if (row === undefined) continue
      const quoted = row.cells.find((cell) => cell.text.length >= 4 && reject.reason.includes(cell.text.slice(0, 40)))
      if (quoted !== undefined || "values" in reject) {
        fail("no-values-in-reasons", `row ${reject.row}'s reject (${reject.stage}) carries a value of the row: ${show(reject.reason)}`)
      }
    }
  }
  return violations
}

/** What a row holds, in a few words, for messages. */
export const describeRow = (hostile: HostileCase, index: number): string => {
  const kinds = hostile.rows[index]!.cells.map((cell) =>
    cell.invalidBytes !== undefined
      ? "invalid UTF-8"
      : cell.kind === "deep-json"
        ? `JSON ${cell.depth} deep`
        : cell.kind === "big"
          ? "a 10 MB value"
          : cell.kind
  )
  return [...new Set(kinds)].join(", ")
}
