import { type CliFlags, noRateLimit, type ResolvedFlags, seedSettings, toldLimit } from "./CliFlags.ts"
import { analyticsNodeContender, type Contender, cliContender, contenders } from "./Contenders.ts"
import { benchTrackingPlan } from "./Paths.ts"
import type { ReceiverConditions } from "./CountingReceiver.ts"
import { defaultFaultSeed } from "./ReceiverArgs.ts"

/** The rate limit of the rate-limited receiver, requests per second (its burst is the same). */
export const receiverRps = 20

/** One network-like condition of the receiver, the contenders sent against it, and its size. */
export interface Scenario {
  readonly key: string
  readonly title: string
  readonly conditions: ReceiverConditions
  /** Rows and interleaved repeats of the full run, then of `--quick`. */
  readonly rows: number
  readonly repeat: number
  readonly quickRows: number
  readonly quickRepeat: number
  /** Each contender's run is stopped past this (it is then credited with the rows that had arrived). */
  readonly timeoutSeconds: number
  readonly quickTimeoutSeconds: number
  /** A longer limit, in the full run, for the contenders the targets judge (tablecast default, told the limit). */
  readonly judgedTimeoutSeconds?: number
  readonly contenders: ReadonlyArray<string>
}

/**
 * Sized so that the full run takes about 25 minutes on two vCPUs and `--quick` about 5: the
 * analytics-node script and the seed settings are the slow ones (at 80 ms, 100 messages per request
 * and 4 in flight cap the seed at 5,000 rows/s; flushAt 15 makes 13,334 requests of 200,000 rows).
 */
export const scenarios: ReadonlyArray<Scenario> = [
  {
    key: "loopback",
    title: "Loopback (no latency, no limit): CPU-bound",
    conditions: {},
    rows: 1_000_000,
    repeat: 2,
    quickRows: 100_000,
    quickRepeat: 1,
    timeoutSeconds: 600,
    quickTimeoutSeconds: 120,
    contenders: ["bare", "default", "seed", "analytics-node"]
  },
  ...[20, 80, 150].map(
    (latency): Scenario => ({
      key: `latency-${latency}`,
      title: `Latency ${latency} ms per request`,
      conditions: { latencyMillis: latency },
      // 80 and 150 ms carry targets against a rate of 50 requests/s: 200,000 rows (about 190
      // requests, 3.8 s at that rate) so that start-up (about 0.5 s) weighs about a tenth, in
      // --quick too (fewer rows could not meet a ratio to the rate, whatever the sender did).
      rows: latency === 20 ? 100_000 : 200_000,
      repeat: latency === 20 ? 1 : 2,
      quickRows: latency === 20 ? 50_000 : 200_000,
      quickRepeat: 1,
      timeoutSeconds: 240,
      quickTimeoutSeconds: 60,
      contenders: ["default", "seed", "analytics-node-defaults", "analytics-node"]
    })
  ),
  {
    key: "rate-limit",
    title: `Rate-limited receiver: ${receiverRps} requests/s (token bucket, burst ${receiverRps}), 429 + Retry-After: 1 above it`,
    conditions: { requestsPerSecond: receiverRps },
    rows: 200_000,
    repeat: 2,
    quickRows: 50_000,
    quickRepeat: 1,
    timeoutSeconds: 20,
    quickTimeoutSeconds: 15,
    judgedTimeoutSeconds: 60,
    contenders: ["default", "told-limit", "seed", "analytics-node-defaults", "analytics-node"]
  },
  {
    key: "faults",
    title: "Fault mix: 10% 429 (Retry-After: 1), 20% 5xx (500/503), 5% connection resets",
    conditions: { faultSeed: defaultFaultSeed },
    rows: 100_000,
    repeat: 1,
    quickRows: 5_000,
    quickRepeat: 1,
    timeoutSeconds: 120,
    quickTimeoutSeconds: 45,
    judgedTimeoutSeconds: 300,
    contenders: ["default", "seed", "analytics-node-defaults", "analytics-node"]
  }
]

/** The contenders the targets judge, given the scenario's longer time limit. */
export const judgedContenders: ReadonlySet<string> = new Set(["default", "told-limit"])

/** A contender of a scenario: ready to run, or not available with this CLI (and why). */
export interface ScenarioContender {
  readonly contender: Contender
  readonly unavailable?: string
  /** Flags of the contract the CLI does not have yet, left out. */
  readonly missingFlags: ReadonlyArray<string>
}

const withFlags = (key: string, label: string, resolved: ResolvedFlags): ScenarioContender => ({
  contender: cliContender(key, label, resolved.flags),
  missingFlags: resolved.missing,
  ...(resolved.unavailable === undefined ? {} : { unavailable: resolved.unavailable })
})

/** The contender a scenario names, with the flags this CLI has. */
export const scenarioContender = (key: string, scenario: Scenario, cli: CliFlags): ScenarioContender => {
  const loopback = scenario.key === "loopback"
  switch (key) {
    case "default":
      // Loopback runs without the rate limit, to measure CPU; elsewhere tablecast as users run it.
      return loopback
        ? withFlags("default", "tablecast, default settings (--max-rps 0)", noRateLimit(cli))
        : withFlags("default", "tablecast, default settings", { flags: [], missing: [] })
    case "default+plan": {
      // The default contender checking every message against a plan of the bench's table (`bench/tracking-plan.json`).
      const base = loopback ? noRateLimit(cli) : { flags: [], missing: [] }
      const plan = cli.has("--tracking-plan")
        ? { flags: [...base.flags, "--tracking-plan", benchTrackingPlan], missing: base.missing }
        : { flags: base.flags, missing: [...base.missing, "--tracking-plan"] }
      return withFlags("default+plan", `tablecast, default settings${loopback ? " (--max-rps 0)" : ""}, --tracking-plan`, plan)
    }
    case "seed":
      return withFlags("seed", "tablecast, old seed settings", seedSettings(cli))
    case "told-limit":
      return withFlags("told-limit", `tablecast, --max-rps ${receiverRps}`, toldLimit(cli, receiverRps))
    case "analytics-node-defaults":
      return { contender: analyticsNodeContender(key, "@segment/analytics-node script, flushAt 15 (defaults)", "defaults"), missingFlags: [] }
    case "analytics-node":
      return { contender: analyticsNodeContender(key, "@segment/analytics-node script, flushAt 100", "100"), missingFlags: [] }
    default: {
      const known = contenders.find((contender) => contender.key === key)
      if (known === undefined) throw new Error(`unknown contender "${key}"`)
      if (!loopback || known.cli !== true) return { contender: known, missingFlags: [] }
      const off = noRateLimit(cli)
      return { contender: { ...known, args: (input) => [...known.args(input), ...off.flags] }, missingFlags: off.missing }
    }
  }
}
