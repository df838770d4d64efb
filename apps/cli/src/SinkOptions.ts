import { ConfigError, flagError } from "@tablecast/config"
import { formatIssues } from "@tablecast/core"
import { SinkOptions } from "@tablecast/sink"

/** A share of requests, as 0.2 or 20%. */
const shareValue = (text: string | undefined, flag: string): number | undefined => {
  if (text === undefined) return undefined
  const percent = text.trim().endsWith("%")
  const value = Number(percent ? text.trim().slice(0, -1) : text)
  if (!Number.isFinite(value)) throw flagError(flag, `--${flag} ${JSON.stringify(text)}: expected a share such as 0.2 or 20%`)
  return percent ? value / 100 : value
}

/** The flags of `tablecast sink` that say how it answers. */
export interface SinkFlags {
  readonly host: string
  readonly port: number
  readonly out?: string | undefined
  readonly "write-key"?: ReadonlyArray<string> | undefined
  readonly throttle?: string | undefined
  readonly "retry-after"?: number | undefined
  readonly "server-errors"?: string | undefined
  readonly drop?: string | undefined
  readonly "half-write"?: string | undefined
  readonly delay?: number | undefined
  readonly slow?: string | undefined
  readonly down: boolean
  readonly "max-body-bytes"?: number | undefined
  readonly "max-message-bytes"?: number | undefined
  readonly "max-batch-count"?: number | undefined
  readonly "track-message-ids": boolean
  readonly seed?: number | undefined
}

/** The sink's options from its flags, checked: a ConfigError names what is wrong. */
export const sinkOptionsOf = (flags: SinkFlags): SinkOptions => {
  const input = {
    host: flags.host,
    port: flags.port,
    out: flags.out,
    writeKeys: flags["write-key"],
    throttleShare: shareValue(flags.throttle, "throttle"),
    retryAfterSeconds: flags["retry-after"],
    serverErrorShare: shareValue(flags["server-errors"], "server-errors"),
    dropShare: shareValue(flags.drop, "drop"),
    halfWriteShare: shareValue(flags["half-write"], "half-write"),
    delayMillis: flags.delay,
    slowShare: shareValue(flags.slow, "slow"),
    down: flags.down ? true : undefined,
    maxBodyBytes: flags["max-body-bytes"],
    maxMessageBytes: flags["max-message-bytes"],
    maxBatchCount: flags["max-batch-count"],
    trackMessageIds: flags["track-message-ids"],
    seed: flags.seed
  }
  const parsed = SinkOptions.safeParse(Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)))
  if (!parsed.success) throw new ConfigError({ message: formatIssues(parsed.error) })
  return parsed.data
}
