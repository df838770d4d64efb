import { count } from "./Args.ts"
import type { ReceiverConditions } from "./CountingReceiver.ts"

/** The fault mix's seed when none is given. */
export const defaultFaultSeed = 20260501

/** The receiver's flags, as `receiverProcess.js` takes them. */
export interface ReceiverFlags {
  readonly latency?: string | undefined
  readonly "receiver-rps"?: string | undefined
  readonly faults?: boolean | undefined
  readonly "fault-seed"?: string | undefined
}

export const conditionsFromArgs = (flags: ReceiverFlags): ReceiverConditions => ({
  ...(flags.latency === undefined ? {} : { latencyMillis: count(flags.latency, 0) }),
  ...(flags["receiver-rps"] === undefined ? {} : { requestsPerSecond: count(flags["receiver-rps"], 0) }),
  ...(flags.faults === true ? { faultSeed: count(flags["fault-seed"], defaultFaultSeed) } : {})
})

/** The same conditions as the receiver's flags, to fork it with. */
export const argsFromConditions = (conditions: ReceiverConditions): Array<string> => [
  ...(conditions.latencyMillis === undefined || conditions.latencyMillis === 0 ? [] : ["--latency", String(conditions.latencyMillis)]),
  ...(conditions.requestsPerSecond === undefined || conditions.requestsPerSecond === 0
    ? []
    : ["--receiver-rps", String(conditions.requestsPerSecond)]),
  ...(conditions.faultSeed === undefined ? [] : ["--faults", "--fault-seed", String(conditions.faultSeed)])
]

/** The conditions in words, for the table's heading. */
export const describeConditions = (conditions: ReceiverConditions): string => {
  const parts = [
    conditions.latencyMillis ? `${conditions.latencyMillis} ms per request` : undefined,
    conditions.requestsPerSecond
      ? `token bucket ${conditions.requestsPerSecond} requests/s (burst ${conditions.requestsPerSecond}), 429 + Retry-After: 1 above it`
      : undefined,
    conditions.faultSeed === undefined ? undefined : `fault mix (10% 429, 10% 500, 10% 503, 5% resets; seed ${conditions.faultSeed})`
  ].filter((part) => part !== undefined)
  return parts.length === 0 ? "loopback, answered at once" : parts.join(", ")
}
