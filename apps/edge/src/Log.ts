/**
 * Structured logs: one JSON object per line, which Workers Logs and most collectors index by field.
 *
 * Only counts, ids generated here, statuses and durations go in. Never row values, user ids,
 * reject reasons (they can quote a value), request headers or the write key: a caller passes
 * fields of the types below, and `LogFields` has no room for a free-form object.
 */
export type LogValue = string | number | boolean | undefined

export type LogFields = Readonly<Record<string, LogValue>>

export type LogLevel = "debug" | "info" | "warn" | "error" | "silent"

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 }

/** A `LOG_LEVEL` variable read where the checked configuration is not at hand (a Durable Object's alarm); `info` unless it names a level. */
export const logLevelOf = (text: string | undefined): LogLevel => {
  const level = text?.trim()
  return level !== undefined && level in rank ? (level as LogLevel) : "info"
}

export interface Logger {
  readonly debug: (event: string, fields?: LogFields) => void
  readonly info: (event: string, fields?: LogFields) => void
  readonly warn: (event: string, fields?: LogFields) => void
  readonly error: (event: string, fields?: LogFields) => void
}

/** A logger writing JSON lines to `write` (console.log by default) at `level` and above. */
export const makeLogger = (level: LogLevel, write: (line: string) => void = (line) => console.log(line)): Logger => {
  const at =
    (lineLevel: Exclude<LogLevel, "silent">) =>
    (event: string, fields: LogFields = {}): void => {
      if (rank[lineLevel] < rank[level]) return
      write(JSON.stringify({ time: new Date().toISOString(), level: lineLevel, event, ...fields }))
    }
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") }
}
