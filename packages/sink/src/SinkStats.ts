/** Counts of faults the sink injected, by kind. */
export interface FaultCounts {
  /** Answered 429 with a Retry-After. */
  readonly throttled: number
  /** Answered 500, 502 or 503. */
  readonly serverErrors: number
  /** Connection reset without an answer. */
  readonly droppedConnections: number
  /** A 200 cut off mid-body. */
  readonly halfWritten: number
  /** Answered after the configured delay (counted on top of any other outcome). */
  readonly slowed: number
  /** Answered 503 because the sink was down. */
  readonly down: number
}

/** What the sink has received since it started. */
export interface SinkStats {
  /** Requests to `/v1/*`, whatever their outcome. */
  readonly requests: number
  /** Request body bytes as received (gzip bodies count compressed). */
  readonly bytesReceived: number
  /** Requests whose messages were all accepted (a single-message call counts as one batch). */
  readonly batchesAccepted: number
  readonly messagesAccepted: number
  /** Distinct messageIds among accepted messages (0 when `trackMessageIds` is off). */
  readonly uniqueMessageIds: number
  /** Accepted messages whose messageId had been accepted before (retries, re-runs). */
  readonly duplicateMessageIds: number
  /** Messages of batches over the count limit: answered 200, stored nowhere, as Segment does. */
  readonly droppedMessages: number
  /** Requests refused by a check, by HTTP status ("400", "401", "413", ...). */
  readonly rejectedByStatus: Readonly<Record<string, number>>
  /** The latest refusal, to show what went wrong. */
  readonly lastRejection: { readonly status: number; readonly message: string } | null
  readonly faults: FaultCounts
  /** When the first and the latest batch were accepted (ISO-8601), for a receive rate. */
  readonly firstAcceptedAt: string | null
  readonly lastAcceptedAt: string | null
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

/** The sink's running counters; `snapshot()` hands out a copy. */
export class StatsCounter {
  requests = 0
  bytesReceived = 0
  batchesAccepted = 0
  messagesAccepted = 0
  duplicateMessageIds = 0
  droppedMessages = 0
  rejectedByStatus: Record<string, number> = {}
  lastRejection: { status: number; message: string } | null = null
  faults: Mutable<FaultCounts> = {
    throttled: 0,
    serverErrors: 0,
    droppedConnections: 0,
    halfWritten: 0,
    slowed: 0,
    down: 0
  }
  firstAcceptedAt: number | null = null
  lastAcceptedAt: number | null = null

  rejected(status: number, message: string): void {
    this.rejectedByStatus[status] = (this.rejectedByStatus[status] ?? 0) + 1
    this.lastRejection = { status, message }
  }

  snapshot(uniqueMessageIds: number): SinkStats {
    const iso = (millis: number | null) => (millis === null ? null : new Date(millis).toISOString())
    return {
      requests: this.requests,
      bytesReceived: this.bytesReceived,
      batchesAccepted: this.batchesAccepted,
      messagesAccepted: this.messagesAccepted,
      uniqueMessageIds,
      duplicateMessageIds: this.duplicateMessageIds,
      droppedMessages: this.droppedMessages,
      rejectedByStatus: { ...this.rejectedByStatus },
      lastRejection: this.lastRejection === null ? null : { ...this.lastRejection },
      faults: { ...this.faults },
      firstAcceptedAt: iso(this.firstAcceptedAt),
      lastAcceptedAt: iso(this.lastAcceptedAt)
    }
  }
}

const count = (n: number): string => n.toLocaleString("en-US")

const bytes = (n: number): string => {
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`
  return `${(n / 1024 ** 3).toFixed(2)} GiB`
}

/** Sink stats as aligned lines for a terminal. */
export const formatSinkStats = (stats: SinkStats): string => {
  const rejected = Object.entries(stats.rejectedByStatus)
    .map(([status, n]) => `${status} ×${count(n)}`)
    .join(", ")
  const { faults } = stats
  const faultList = [
    ["429", faults.throttled],
    ["5xx", faults.serverErrors],
    ["dropped", faults.droppedConnections],
    ["half-written", faults.halfWritten],
    ["down", faults.down],
    ["slowed", faults.slowed]
  ]
    .filter(([, n]) => n !== 0)
    .map(([name, n]) => `${name} ×${count(n as number)}`)
    .join(", ")
  let rate = ""
  if (stats.firstAcceptedAt !== null && stats.lastAcceptedAt !== null) {
    const seconds = (Date.parse(stats.lastAcceptedAt) - Date.parse(stats.firstAcceptedAt)) / 1000
    if (seconds > 0) rate = ` (${count(Math.round(stats.messagesAccepted / seconds))} messages/s)`
  }
  const lines: Array<[string, string]> = [
    ["requests", count(stats.requests)],
    ["bytes received", bytes(stats.bytesReceived)],
    ["batches accepted", count(stats.batchesAccepted)],
    ["messages accepted", count(stats.messagesAccepted) + rate],
    ["unique messageIds", count(stats.uniqueMessageIds)],
    ["duplicate messageIds", count(stats.duplicateMessageIds)],
    ["dropped (over limit)", count(stats.droppedMessages)],
    ["rejected", rejected === "" ? "none" : rejected],
    ["faults injected", faultList === "" ? "none" : faultList]
  ]
  if (stats.lastRejection !== null) {
    lines.push(["last rejection", `${stats.lastRejection.status} ${stats.lastRejection.message}`])
  }
  const width = Math.max(...lines.map(([label]) => label.length))
  return lines.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join("\n")
}
