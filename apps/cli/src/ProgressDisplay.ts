import type { ProgressSnapshot } from "@tablecast/core"
import cliProgress from "cli-progress"

export type ProgressMode = "auto" | "bar" | "lines" | "none"

const rate = (s: ProgressSnapshot) => (s.elapsedMillis > 0 ? Math.round((s.rowsRead * 1000) / s.elapsedMillis) : 0)
const eta = (s: ProgressSnapshot) => {
  const perSecond = rate(s)
  if (s.estimatedRows === undefined || perSecond === 0) return undefined
  return Math.max(0, Math.round((s.estimatedRows - s.rowsRead) / perSecond))
}

/**
 * How the run is sending: "in flight 6/9 · 48 req/s · 429 wait 3 s" (batches in flight of the
 * adaptive limit, the request rate limit, time batches waited on 429s). Empty without figures.
 */
export const sendingText = (s: ProgressSnapshot): string => {
  if (s.concurrencyLimit === undefined) return ""
  const parts = [`in flight ${s.batchesInFlight}/${s.concurrencyLimit}`]
  if (s.rateLimit !== undefined) parts.push(`${Number.isInteger(s.rateLimit) ? s.rateLimit : s.rateLimit.toFixed(1)} req/s`)
  if ((s.throttleWaitMillis ?? 0) > 0) parts.push(`429 wait ${Math.round((s.throttleWaitMillis ?? 0) / 1000)} s`)
  return parts.join(" · ")
}

/** One plain line, for logs and pipes. */
export const progressLine = (s: ProgressSnapshot): string => {
  const left = eta(s)
  const sending = sendingText(s)
  return (
    `progress: ${s.rowsRead} rows read${s.estimatedRows === undefined ? "" : ` of ~${s.estimatedRows}`}, ` +
    `${s.messagesAccepted} accepted, ${s.rowsRejected} rejected, ${s.messagesFailed} failed, ` +
    `${s.retries} retries, ${rate(s)} rows/s${left === undefined ? "" : `, ETA ${left} s`}${sending === "" ? "" : `, ${sending}`}`
  )
}

export interface ProgressDisplay {
  readonly intervalMillis: number
  readonly onProgress: (snapshot: ProgressSnapshot) => void
  /**
   * The run is over. `readAll`: the source was read to its end (the run stopped on nothing), so
   * the rows read are the total, whatever the estimate said.
   */
  readonly stop: (end?: { readonly readAll: boolean }) => void
}

/**
 * A live bar on a terminal (cli-progress, on stderr so stdout keeps the report), plain periodic
 * lines elsewhere. The bar's total is the source's estimate, which can be off: it is an ETA, not
 * a promise.
 */
export const progressDisplay = (mode: ProgressMode, stream: NodeJS.WriteStream = process.stderr): ProgressDisplay => {
  const resolved = mode === "auto" ? (stream.isTTY ? "bar" : "lines") : mode
  if (resolved === "none") return { intervalMillis: 60_000, onProgress: () => {}, stop: () => {} }
  if (resolved === "lines") {
    let last = 0
    return {
      intervalMillis: 5_000,
      onProgress: (snapshot) => {
        // Called after every batch too; plain output stays at one line per interval.
        if (snapshot.elapsedMillis - last < 5_000) return
        last = snapshot.elapsedMillis
        stream.write(`${progressLine(snapshot)}\n`)
      },
      stop: () => {}
    }
  }
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format:
        " {bar} {percentage}% | {value}/{total} rows | {accepted} accepted, {rejected} rejected, {failed} failed | {rate} rows/s | ETA {etaText}{sending}",
      hideCursor: true,
      clearOnComplete: false,
      // Asked for by name (--progress bar) where stderr is no terminal: one frame per line.
      noTTYOutput: true
    },
    cliProgress.Presets.shades_classic
  )
  let started = false
  let last: ProgressSnapshot | undefined
  const show = (s: ProgressSnapshot, total: number, left: number | undefined) => {
    const payload = {
      accepted: s.messagesAccepted,
      rejected: s.rowsRejected,
      failed: s.messagesFailed,
      rate: rate(s),
      sending: sendingText(s) === "" ? "" : ` | ${sendingText(s)}`,
      // Our own ETA from the source's estimate; cli-progress's own one garbles at the end.
      etaText: left === undefined ? "?" : left >= 60 ? `${Math.floor(left / 60)}m ${left % 60}s` : `${left}s`
    }
    if (!started) {
      bar.start(total, s.rowsRead, payload)
      started = true
    } else {
      bar.setTotal(total)
      bar.update(s.rowsRead, payload)
    }
  }
  return {
    intervalMillis: 200,
    onProgress: (s) => {
      last = s
      show(s, Math.max(s.estimatedRows ?? s.rowsRead, s.rowsRead), eta(s))
    },
    stop: (end) => {
      // The estimate (a file's size over its first lines' length) is off by a few per cent either
      // way: a run that read everything ends at 100%, not at rows read over the estimate.
      if (last !== undefined && end?.readAll === true) show(last, last.rowsRead, 0)
      if (started) bar.stop()
    }
  }
}
