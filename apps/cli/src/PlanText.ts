import { callCountsText } from "@tablecast/core"
import { type IncrementalPlan, sends } from "@tablecast/incremental"
import { terminalText } from "./TerminalText.ts"

const count = (n: number) => n.toLocaleString("en-US")
const percent = (share: number) => `${(Math.round(share * 1000) / 10).toFixed(1)}%`
const bytes = (n: number) => (n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 ** 2).toFixed(1)} MB`)
/** A warehouse scan: gigabytes and terabytes are its usual sizes. */
const scanBytes = (n: number) =>
  n >= 1024 ** 4 ? `${(n / 1024 ** 4).toFixed(2)} TB` : n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(2)} GB` : bytes(n)
const value = (v: unknown) => {
  const text = JSON.stringify(v) ?? "null"
  return text.length > 40 ? `${text.slice(0, 37)}...` : text
}

/** A duration for a person: "45s", "2m 3s", "1h 4m". */
export const durationText = (seconds: number): string => {
  const whole = Math.max(1, Math.ceil(seconds))
  if (whole < 60) return `${whole}s`
  if (whole < 3600) return `${Math.floor(whole / 60)}m ${whole % 60}s`
  return `${Math.floor(whole / 3600)}h ${Math.floor((whole % 3600) / 60)}m`
}

/** Segment's inbound limit for workspaces with Engage, in events per second (above it Segment queues). */
export const ENGAGE_EVENTS_PER_SECOND = 1_000

/**
 * How long sending takes at the run's request rate: messages ÷ messages per request ÷ maxRps.
 * A floor, not a promise: round trips, retries and 429s can only add to it.
 */
export const durationLines = (send: { readonly messages: number; readonly requests: number }, maxRps: number): Array<string> => {
  if (send.messages === 0 || send.requests === 0) return []
  const perRequest = send.messages / send.requests
  const lines: Array<string> = []
  if (maxRps > 0) {
    const perSecond = perRequest * maxRps
    lines.push(
      `  duration    at ${count(maxRps)} requests/s and ~${count(Math.round(perRequest))} messages per request: about ${count(Math.round(perSecond))} messages/s, ${durationText(send.requests / maxRps)} for ${count(send.messages)} messages`
    )
  } else {
    lines.push("  duration    no request rate limit of our own (--max-rps 0): bound by round trips and the endpoint")
  }
  lines.push(
    `  engage      if this workspace uses Engage, Segment takes in ${count(ENGAGE_EVENTS_PER_SECOND)} events/s: at least ${durationText(send.messages / ENGAGE_EVENTS_PER_SECOND)} (it queues above that, it does not drop)`
  )
  return lines
}

/** An incremental plan for a person: what changed against the snapshot, and what a run would send. */
export const planText = (plan: IncrementalPlan, heading: string, maxRps?: number): string => {
  const { rows, send, guard } = plan
  const lines: Array<string> = []
  lines.push(
    `${heading}: ${count(rows.read)} rows read against a snapshot of ${count(plan.snapshot.rows)} (${plan.snapshot.location})` +
      (plan.full ? ", full run: every row is sent" : `, mode ${plan.mode}`)
  )
  const sent = sends(plan.mode)
  const notSent = (kind: keyof typeof sent, n: number) => (n > 0 && !plan.full && !sent[kind] ? ` (not sent in mode ${plan.mode})` : "")
  lines.push(`  added       ${count(rows.added)}${notSent("added", rows.added)}`)
  lines.push(`  changed     ${count(rows.changed)}${notSent("changed", rows.changed)}`)
  lines.push(
    `  unchanged   ${count(rows.unchanged)}${rows.withinTolerance > 0 ? ` (${count(rows.withinTolerance)} moved only within tolerance)` : ""}`
  )
  lines.push(`  removed     ${count(rows.removed)}${notSent("removed", rows.removed)}`)
  if (plan.diffInDatabase !== undefined) {
    lines.push(
      plan.diffInDatabase
        ? `  in database ${count(rows.unchangedAtSource ?? 0)} unchanged rows compared in Postgres, never read (diff in the database)`
        : "  in database not this run (every row read: a full run, or the sync's mapping changed); digests recorded for the next"
    )
  }
  if (plan.snapshot.messageIdScheme !== undefined) lines.push(`  ids         ${plan.snapshot.messageIdScheme}`)
  if (rows.duplicates > 0) lines.push(`  duplicates  ${count(rows.duplicates)} rows repeat a key of an earlier row: rejected`)
  if (rows.rejected > 0) lines.push(`  rejected    ${count(rows.rejected)}`)
  if ((rows.removalsRejected ?? 0) > 0) {
    lines.push(`  removals    ${count(rows.removalsRejected ?? 0)} stopped by the tracking plan: not sent, their keys kept to be tried again`)
  }
  lines.push(
    `  to send     ${count(send.rows)} rows + ${count(send.removals)} removals = ${count(send.messages)} messages in about ${count(send.requests)} requests (${bytes(send.bytes)})`
  )
  const calls = callCountsText(send.calls)
  if (calls !== undefined) lines.push(`  calls       ${calls}`)
  if (maxRps !== undefined) lines.push(...durationLines(send, maxRps))
  if (plan.scan !== undefined)
    lines.push(`  scan        ${scanBytes(plan.scan.bytesProcessed)} processed by the read (${plan.scan.source}; billed again by each run)`)
  lines.push(`  users       ${count(plan.users.touched)} touched, ${count(plan.users.new)} new to this sync (monthly tracked users estimate)`)
  const verdict =
    guard.tripped === undefined
      ? "passes"
      : guard.forced
        ? `over, forced: ${guard.tripped}`
        : `STOPS THE RUN: ${guard.tripped} (--force sends anyway)`
  // The table's true shares against the snapshot, whatever the mode sends.
  lines.push(
    `  guard       added ${percent(guard.addedShare)}, changed ${percent(guard.changedShare)} (at most ${percent(guard.maxChangedShare)}), removed ${percent(guard.removedShare)} (at most ${percent(guard.maxRemovedShare)}): ${verdict}`
  )
  if (guard.warning !== undefined) lines.push(`  warning     ${guard.warning}`)
  if (plan.sample.length > 0) {
    lines.push("  sample of changes:")
    for (const change of plan.sample) {
      const moves = change.changes
        .slice(0, 6)
        .map((move) => `${move.column} ${value(move.before)} → ${value(move.after)}${move.withinTolerance === true ? " (within tolerance)" : ""}`)
        .join(", ")
      lines.push(
        `    row ${change.row} ${change.key} ${change.kind}${moves === "" ? "" : `: ${moves}`}${change.changes.length > 6 ? ", ..." : ""}`
      )
    }
  }
  // Keys, values and reasons come from the input: escaped, each line stays one line.
  return lines.map(terminalText).join("\n")
}
