import { readFile, writeFile } from "node:fs/promises"
import { DatabaseSync } from "node:sqlite"
import { type SinkFaultsInput, type Sink, startSink } from "@tablecast/sink"
import { type CliResult, runCli } from "./Cli.ts"
import { type InterceptRule, type ProxiedRequest, type RecordingProxy, startRecordingProxy } from "./RecordingProxy.ts"
import { customerId, HEADER, rowOf } from "./Rows.ts"
import { env, syncArgs, WRITE_KEY } from "./SyncCommand.ts"

// Incremental syncs, end to end: a model's output that changes between runs, the snapshot the CLI
// keeps in SQLite, and what the receiver got on each run.

/** One row of the model's output (`customer_id` is `c<customer>`), as the CSV holds it. */
export interface ModelValues {
  readonly score: string
  readonly segment: string
}

/** Customer number → values: a table of model output, in the order it is written. */
export type ModelTable = ReadonlyMap<number, ModelValues>

/** The same scores as Rows.ts's `rowLine`, as text with four decimals. */
export const baseScore = (customer: number): number => ((customer * 7919) % 10_000) / 10_000

export const scoreText = (score: number): string => (Math.round(score * 10_000) / 10_000).toFixed(4)

/** Customers `from..to` with their base scores and segments. */
export const modelTable = (from: number, to: number): Map<number, ModelValues> => {
  const table = new Map<number, ModelValues>()
  for (let customer = from; customer <= to; customer++) table.set(customer, { score: scoreText(baseScore(customer)), segment: `s${customer % 7}` })
  return table
}

/** A copy of `table` with `change` applied to the customers it picks (undefined: unchanged). */
export const edit = (
  table: ModelTable,
  change: (customer: number, values: ModelValues) => ModelValues | "remove" | undefined
): Map<number, ModelValues> => {
  const next = new Map<number, ModelValues>()
  for (const [customer, values] of table) {
    const changed = change(customer, values)
    if (changed === "remove") continue
    next.set(customer, changed ?? values)
  }
  return next
}

/** Writes the table as the CSV the suite's syncs read (`extra` lines are appended as they are). */
export const writeModelCsv = async (file: string, table: ModelTable, extra: ReadonlyArray<string> = []): Promise<void> => {
  let text = `${HEADER}\n`
  for (const [customer, values] of table) text += `${customerId(customer)},${values.score},${values.segment},churn-v3\n`
  for (const line of extra) text += `${line}\n`
  await writeFile(file, text)
}

/** What a run sends and what the snapshot then holds, worked out from the tables alone. */
export interface ExpectedRun {
  readonly added: ReadonlyArray<number>
  readonly changed: ReadonlyArray<number>
  readonly unchanged: ReadonlyArray<number>
  readonly removed: ReadonlyArray<number>
}

/**
 * Classifies `table` against what was last delivered (`delivered`, the expected snapshot), as the
 * issue defines it: a key not delivered is added, one whose values differ is changed, a delivered
 * key no row has is removed. `counts` says whether a column's move counts (default: any move).
 */
export const classify = (
  delivered: ModelTable,
  table: ModelTable,
  counts: (before: ModelValues, after: ModelValues) => boolean = (before, after) =>
    before.score !== after.score || before.segment !== after.segment
): ExpectedRun => {
  const added: Array<number> = []
  const changed: Array<number> = []
  const unchanged: Array<number> = []
  for (const [customer, values] of table) {
    const before = delivered.get(customer)
    if (before === undefined) added.push(customer)
    else if (counts(before, values)) changed.push(customer)
    else unchanged.push(customer)
  }
  const removed = [...delivered.keys()].filter((customer) => !table.has(customer))
  return { added, changed, unchanged, removed }
}

/** The expected snapshot after a run that delivered `sent` (rows of `table`) and `removals`. */
export const afterDelivery = (
  delivered: ModelTable,
  table: ModelTable,
  sent: ReadonlyArray<number>,
  removals: ReadonlyArray<number> = []
): Map<number, ModelValues> => {
  const next = new Map(delivered)
  for (const customer of sent) next.set(customer, table.get(customer)!)
  for (const customer of removals) next.delete(customer)
  return next
}

/** One entry of the SQLite snapshot, its key read back to the customer number. */
export interface SnapshotRow {
  readonly sync: string
  readonly customer: number
  readonly key: string
  readonly fingerprint: string
  readonly values: Record<string, unknown>
  readonly updatedAt: string
}

/** Every entry of the snapshot file (the CLI's default: `<cwd>/.tablecast/state.db`); none when there is no file yet. */
export const readSnapshot = (file: string): Array<SnapshotRow> => {
  let db: DatabaseSync
  try {
    db = new DatabaseSync(file, { readOnly: true })
  } catch {
    return []
  }
  try {
    const rows = db.prepare(`SELECT sync, key, fingerprint, "values" AS v, updated_at FROM snapshot ORDER BY sync, key`).all() as Array<{
      sync: string
      key: string
      fingerprint: string
      v: string
      updated_at: string
    }>
    return rows.map((row) => ({
      sync: row.sync,
      customer: rowOf((JSON.parse(row.key) as Array<unknown>)[0]),
      key: row.key,
      fingerprint: row.fingerprint,
      values: JSON.parse(row.v) as Record<string, unknown>,
      updatedAt: row.updated_at
    }))
  } catch (error) {
    // No snapshot table yet: the store has not been opened.
    if (error instanceof Error && /no such table/.test(error.message)) return []
    throw error
  } finally {
    db.close()
  }
}

/** The snapshot as customer → the values it holds (score and segment, as the CSV had them). */
export const snapshotModel = (rows: ReadonlyArray<SnapshotRow>): Map<number, ModelValues> =>
  new Map(rows.map((row) => [row.customer, { score: String(row.values["score"]), segment: String(row.values["segment"]) }]))

/** A message as the receiver stored it. */
export interface StoredMessage {
  readonly type: string
  readonly userId?: string
  readonly event?: string
  readonly messageId: string
  readonly properties?: Record<string, unknown>
  readonly traits?: Record<string, unknown>
}

export const readMessages = async (file: string): Promise<Array<StoredMessage>> => {
  let text: string
  try {
    text = await readFile(file, "utf8")
  } catch {
    return []
  }
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as StoredMessage)
}

/** Customers of the messages (by userId), sorted, repeats kept. */
export const customersOf = (messages: ReadonlyArray<StoredMessage>): Array<number> =>
  messages.map((message) => rowOf(message.userId)).sort((a, b) => a - b)

export const sorted = (customers: Iterable<number>): Array<number> => [...customers].sort((a, b) => a - b)

/** Whether a message carries the values of a row (score as a number, segment as text). */
export const carries = (message: StoredMessage, values: ModelValues): boolean => {
  const fields = message.properties ?? message.traits ?? {}
  return Number(fields["score"]) === Number(values.score) && fields["segment"] === values.segment
}

/** An incremental `tablecast sync` of the model CSV, keyed by customer, reporting as JSON. */
export const incrementalArgs = (file: string, endpoint: string, extra: ReadonlyArray<string> = []): Array<string> =>
  syncArgs(file, endpoint, ["--key", "customer_id", ...extra])

/** The same sync as identify calls. */
export const identifyArgs = (file: string, endpoint: string, extra: ReadonlyArray<string> = []): Array<string> => [
  "sync",
  "--file",
  file,
  "--type",
  "identify",
  "--customer-id",
  "customer_id",
  "--key",
  "customer_id",
  "--endpoint",
  endpoint,
  "--json",
  ...extra
]

/** `tablecast plan --json` of the incremental sync, with the batches of syncArgs (its request estimate matches the run's). */
export const planArgs = (file: string, extra: ReadonlyArray<string> = []): Array<string> => [
  "plan",
  "--file",
  file,
  "--event",
  "Churn Scored",
  "--customer-id",
  "customer_id",
  "--key",
  "customer_id",
  "--json",
  "--batch-profile",
  "small",
  ...extra
]

/** A receiver (the sink, recording to its own file) behind a recording proxy. */
export interface Receiver {
  readonly sink: Sink
  readonly proxy: RecordingProxy
  readonly out: string
  readonly close: () => Promise<void>
}

const open = new Set<Receiver>()

export const startReceiver = async (out: string, faults: SinkFaultsInput = {}, writeKeys: ReadonlyArray<string> = []): Promise<Receiver> => {
  const sink = await startSink({ out, writeKeys: [WRITE_KEY, ...writeKeys], ...faults })
  const proxy = await startRecordingProxy(sink.url)
  const receiver: Receiver = {
    sink,
    proxy,
    out,
    close: async () => {
      open.delete(receiver)
      await proxy.close()
      await sink.close()
    }
  }
  open.add(receiver)
  return receiver
}

/** Closes every receiver a test left open (for afterEach). */
export const closeReceivers = async (): Promise<void> => {
  for (const receiver of [...open]) await receiver.close()
}

/** One run of the CLI against its own fresh receiver, and what that receiver stored. */
export interface ReceivedRun {
  readonly result: CliResult
  readonly requests: ReadonlyArray<ProxiedRequest>
  readonly messages: ReadonlyArray<StoredMessage>
}

let runs = 0

/**
 * Runs the CLI (args built for the receiver's endpoint) against a fresh receiver with `faults`
 * and an optional interception rule, and reads back what it stored once the run ended.
 */
export const runReceived = async (
  cwd: string,
  args: (endpoint: string) => ReadonlyArray<string>,
  options: { readonly faults?: SinkFaultsInput; readonly intercept?: InterceptRule } = {}
): Promise<ReceivedRun> => {
  const out = `${cwd}/received-${++runs}.jsonl`
  const receiver = await startReceiver(out, options.faults)
  try {
    if (options.intercept !== undefined) receiver.proxy.intercept(options.intercept)
    const result = await runCli(args(receiver.proxy.url), { cwd, env: env() })
    await receiver.close()
    return { result, requests: receiver.proxy.requests, messages: await readMessages(out) }
  } finally {
    await receiver.close()
  }
}
