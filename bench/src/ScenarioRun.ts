import type { CliFlags } from "./CliFlags.ts"
import { ensureDataset } from "./Dataset.ts"
import { type Measurement, measure } from "./Measure.ts"
import { describeConditions } from "./ReceiverArgs.ts"
import { judgedContenders, type Scenario, scenarioContender } from "./Scenarios.ts"
import { formatScenarioTable, formatSending, type Summary, summarize, type Unavailable } from "./Summary.ts"
import type { ScenarioResult } from "./Targets.ts"

export interface ScenarioRunOptions {
  readonly rows: number
  readonly repeat: number
  readonly timeoutSeconds: number
  /** The limit of the contenders the targets judge (default: `timeoutSeconds`). */
  readonly judgedTimeoutSeconds?: number
  readonly cli: CliFlags
  readonly seed: number
  readonly dataDir: string
  readonly cwd: string
  /** Only these contenders (default: the scenario's). */
  readonly only?: ReadonlyArray<string>
  readonly nodeFlags?: ReadonlyArray<string>
  /** The Postgres table holding the same rows, for the `postgres` contender. */
  readonly table?: string
  readonly say?: (line: string) => void
}

/** A scenario's measurements, its medians, and the contenders that could not run. */
export interface ScenarioRun extends ScenarioResult {
  readonly title: string
  readonly conditions: Scenario["conditions"]
  readonly repeat: number
  readonly timeoutSeconds: number
  readonly judgedTimeoutSeconds: number
  readonly measurements: ReadonlyArray<Measurement>
  /** Flags of the contract that the CLI did not have, per contender, left out. */
  readonly missingFlags: Readonly<Record<string, ReadonlyArray<string>>>
}

const integer = (value: number) => Math.round(value).toLocaleString("en-US")

export const describeRun = (run: Measurement): string =>
  `${integer(run.rowsPerSecond)} rows/s, ${run.seconds.toFixed(1)} s (CPU ${run.cpuSeconds.toFixed(1)} s), ${(run.peakRssBytes / 2 ** 20).toFixed(0)} MiB, ` +
  `${integer(run.requests)} requests (${integer(run.tooManyRequests)} × 429, ${integer(run.serverErrors)} × 5xx, ${integer(run.resets)} resets), ` +
  `${integer(run.rowsLost)} lost` +
  (run.notes.length === 0 ? "" : ` — ${run.notes.join("; ")}`)

/**
 * Runs a scenario: each of its contenders in turn against a fresh receiver with the scenario's
 * conditions, round by round (so that a slow spell of the machine falls on every contender alike).
 */
export const runScenario = async (scenario: Scenario, options: ScenarioRunOptions): Promise<ScenarioRun> => {
  const say = options.say ?? (() => {})
  const keys = scenario.contenders.filter((key) => options.only === undefined || options.only.includes(key))
  const extra = (options.only ?? []).filter((key) => scenario.key === "loopback" && !scenario.contenders.includes(key))
  const resolved = [...keys, ...extra].map((key) => scenarioContender(key, scenario, options.cli))
  const unavailable: Array<Unavailable> = []
  const missingFlags: Record<string, ReadonlyArray<string>> = {}
  const runnable = resolved.filter((entry) => {
    if (entry.missingFlags.length > 0 && entry.unavailable === undefined) missingFlags[entry.contender.key] = entry.missingFlags
    if (entry.unavailable !== undefined) unavailable.push({ key: entry.contender.key, label: entry.contender.label, reason: entry.unavailable })
    else if (entry.contender.needsPostgres && options.table === undefined)
      unavailable.push({ key: entry.contender.key, label: entry.contender.label, reason: "n/a (no Postgres server)" })
    else return true
    return false
  })
  const dataset = await ensureDataset(options.dataDir, options.rows, options.seed)
  const input = { csvPath: dataset.path, ...(options.table === undefined ? {} : { table: options.table }) }
  const measurements: Array<Measurement> = []
  for (let round = 1; round <= options.repeat; round++) {
    for (const { contender } of runnable) {
      const run = await measure(contender, input, options.rows, options.cwd, {
        nodeFlags: options.nodeFlags ?? [],
        conditions: scenario.conditions,
        timeoutSeconds: judgedContenders.has(contender.key) ? (options.judgedTimeoutSeconds ?? options.timeoutSeconds) : options.timeoutSeconds
      })
      measurements.push(run)
      say(`${scenario.key} run ${round}/${options.repeat} ${contender.label}: ${describeRun(run)}`)
    }
  }
  const summaries: Array<Summary> = runnable.map(({ contender }) => summarize(measurements.filter((run) => run.key === contender.key)))
  return {
    key: scenario.key,
    title: scenario.title,
    conditions: scenario.conditions,
    rows: options.rows,
    repeat: options.repeat,
    timeoutSeconds: options.timeoutSeconds,
    judgedTimeoutSeconds: options.judgedTimeoutSeconds ?? options.timeoutSeconds,
    summaries,
    unavailable,
    measurements,
    missingFlags
  }
}

/** A scenario's heading, table, the sending figures tablecast reported, and notes. */
export const formatScenario = (run: ScenarioRun): string => {
  const out = [
    `## ${run.title}`,
    "",
    `${integer(run.rows)} rows, median of ${run.repeat} run${run.repeat === 1 ? "" : "s"} each, receiver: ${describeConditions(run.conditions)}; each run stopped after ${run.timeoutSeconds} s${run.judgedTimeoutSeconds === run.timeoutSeconds ? "" : ` (${run.judgedTimeoutSeconds} s for ${[...judgedContenders].join(" and ")})`}`,
    "",
    formatScenarioTable(run.summaries, run.unavailable)
  ]
  const sending = formatSending(run.summaries)
  if (sending.length > 0) out.push("", "Sending (from tablecast's report, median run):", ...sending)
  const notes = run.summaries.flatMap((summary) => summary.notes.map((note) => `- ${summary.label}: ${note}`))
  const missing = Object.entries(run.missingFlags).map(
    ([key, flags]) =>
      `- ${run.summaries.find((summary) => summary.key === key)?.label ?? key}: flags not in this CLI yet, left out (today's behaviour): ${flags.join(" ")}`
  )
  if (notes.length + missing.length > 0) out.push("", ...notes, ...missing)
  return out.join("\n")
}
