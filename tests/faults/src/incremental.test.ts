import { mkdir, readFile, writeFile } from "node:fs/promises"
import type { IncrementalPlan } from "@tablecast/incremental"
import { afterEach, describe, expect, it } from "vitest"
import { jsonReport, runCli, startCli } from "./support/Cli.ts"
import { killMidRun } from "./support/Kill.ts"
import { runSeed, seededRandom } from "./support/Random.ts"
import { rowOf } from "./support/Rows.ts"
import { env } from "./support/SyncCommand.ts"
import { waitFor } from "./support/Wait.ts"
import {
  afterDelivery,
  carries,
  classify,
  closeReceivers,
  customersOf,
  edit,
  identifyArgs,
  incrementalArgs,
  type ModelTable,
  type ModelValues,
  modelTable,
  planArgs,
  readMessages,
  runReceived,
  readSnapshot,
  scoreText,
  snapshotModel,
  sorted,
  startReceiver,
  type StoredMessage,
  writeModelCsv
} from "./support/Incremental.ts"
import { useWorkdir } from "./support/Workdir.ts"

// Incremental syncs (issue #6), end to end: the built CLI, its SQLite snapshot, and the local
// receiver, over several runs of the same sync while the model's output changes between them.

const workdir = useWorkdir()
afterEach(closeReceivers)

const stateDb = () => workdir.file(".tablecast/state.db")

const ROWS = 2_000
const bump = (values: ModelValues, by: number): ModelValues => ({ ...values, score: scoreText((Number(values.score) + by) % 1) })
/** A small move that never wraps round (a score of 0.9995 jittered is 1.0005, not 0.0005). */
const jitter = (values: ModelValues, by: number): ModelValues => ({ ...values, score: scoreText(Number(values.score) + by) })

/** Three days of model output: the first run, then a day with every kind of change, then another. */
const day0 = modelTable(1, ROWS)
// 200 scores move, 80 labels change, 40 customers leave, 100 arrive.
const day1: ModelTable = new Map([
  ...edit(day0, (customer, values) =>
    customer % 50 === 7 ? "remove" : customer % 10 === 1 ? bump(values, 0.25) : customer % 25 === 3 ? { ...values, segment: "s9" } : undefined
  ),
  ...modelTable(ROWS + 1, ROWS + 100)
])
// Other scores move, 40 more leave, two who left come back, 50 arrive.
const day2: ModelTable = new Map([
  ...edit(day1, (customer, values) => (customer % 50 === 9 ? "remove" : customer % 10 === 2 ? bump(values, 0.25) : undefined)),
  [7, { score: "0.5000", segment: "s0" }],
  [57, { score: "0.2500", segment: "s1" }],
  ...modelTable(ROWS + 101, ROWS + 150)
])

const isRemoval = (message: StoredMessage) =>
  message.event === "Segment Exited" || (message.type === "identify" && message.traits?.["score"] === null)

describe("incremental syncs: each mode over several runs", () => {
  const modes = {
    added: { added: true, changed: false, removed: false },
    changed: { added: false, changed: true, removed: false },
    "added-or-changed": { added: true, changed: true, removed: false },
    removed: { added: false, changed: false, removed: true },
    all: { added: true, changed: true, removed: true }
  } as const

  const runDays = async (mode: keyof typeof modes, type: "track" | "identify") => {
    const sends = modes[mode]
    // A mode that sends no added rows starts from a full run, which fills the snapshot.
    const seedFull = !sends.added
    const file = workdir.file("scores.csv")
    const argsOf = (extra: ReadonlyArray<string>) => (endpoint: string) =>
      type === "track" ? incrementalArgs(file, endpoint, ["--mode", mode, ...extra]) : identifyArgs(file, endpoint, ["--mode", mode, ...extra])
    let delivered: ModelTable = new Map()
    const days = [day0, day1, day2, day2]
    for (const [index, table] of days.entries()) {
      const context = `mode ${mode}, run ${index + 1}`
      await writeModelCsv(file, table)
      const full = index === 0 && seedFull
      const expected = classify(delivered, table)
      const sentRows = full ? [...table.keys()] : [...(sends.added ? expected.added : []), ...(sends.changed ? expected.changed : [])]
      const removals = sends.removed ? expected.removed : []
      const run = await runReceived(workdir.path, argsOf(full ? ["--full"] : []))
      expect(run.result.code, `${context}\n${run.result.stderr}`).toBe(0)
      const report = jsonReport(run.result)
      expect(report.incremental?.rows, context).toMatchObject({
        added: expected.added.length,
        changed: expected.changed.length,
        unchanged: expected.unchanged.length,
        removed: expected.removed.length,
        duplicates: 0
      })

      const rowMessages = run.messages.filter((message) => !isRemoval(message))
      const removalMessages = run.messages.filter(isRemoval)
      // Exactly the rows this mode sends, each once, with today's values.
      expect(customersOf(rowMessages), context).toEqual(sorted(sentRows))
      for (const message of rowMessages) {
        expect(message.type, context).toBe(type)
        expect(carries(message, table.get(Number(message.userId!.slice(1)))!), `${context}: ${message.userId} sent with other values`).toBe(true)
      }
      expect(customersOf(removalMessages), context).toEqual(sorted(removals))
      for (const message of removalMessages) {
        if (type === "track") {
          expect(message, context).toMatchObject({ type: "track", event: "Segment Exited", properties: { customer_id: message.userId } })
        } else {
          // An identify sync's removal clears every trait it had sent.
          expect(message.type, context).toBe("identify")
          expect(message.traits, context).toMatchObject({ score: null, segment: null, model_version: null })
          expect(
            Object.values(message.traits!).every((value) => value === null),
            context
          ).toBe(true)
        }
      }
      if (index === days.length - 1) expect(run.requests.length, `${context}: an unchanged run sends nothing`).toBe(0)
      expect(
        run.requests.every((request) => request.status === 200),
        context
      ).toBe(true)

      // The snapshot holds exactly what was delivered: sent rows advanced, removals deleted, the rest as before.
      delivered = afterDelivery(delivered, table, sentRows, removals)
      expect(snapshotModel(readSnapshot(stateDb())), context).toEqual(delivered)
    }
  }

  it("added: only new customers, over four runs (the last unchanged)", async () => {
    await runDays("added", "track")
  })

  it("changed: only rows whose values moved", async () => {
    await runDays("changed", "track")
  })

  it("added-or-changed (the default with a key)", async () => {
    await runDays("added-or-changed", "track")
  })

  it("removed, as an identify sync: a removal is an identify that clears the traits", async () => {
    await runDays("removed", "identify")
  })

  it('all: added, changed, and removals as "Segment Exited" tracks', async () => {
    await runDays("all", "track")
  })
})

describe("incremental syncs: tolerance", () => {
  it("scores that all moved by 0.001 under --tolerance score=0.01 send nothing; a label change, or drift past the threshold, is sent", async () => {
    const file = workdir.file("scores.csv")
    const args = (endpoint: string) => incrementalArgs(file, endpoint, ["--tolerance", "score=0.01"])
    await writeModelCsv(file, day0)
    const first = await runReceived(workdir.path, args)
    expect(first.result.code, first.result.stderr).toBe(0)
    expect(first.messages.length).toBe(ROWS)

    // A retrained model: every score moved by 0.001.
    const jittered = edit(day0, (_customer, values) => jitter(values, 0.001))
    await writeModelCsv(file, jittered)
    const quiet = await runReceived(workdir.path, args)
    expect(quiet.result.code, quiet.result.stderr).toBe(0)
    expect(quiet.requests.length).toBe(0)
    expect(jsonReport(quiet.result).incremental?.rows).toMatchObject({ changed: 0, unchanged: ROWS, withinTolerance: ROWS })
    // The snapshot keeps the scores last delivered, so that drift adds up.
    expect(snapshotModel(readSnapshot(stateDb()))).toEqual(day0)

    // Jitter again (0.002 in all since delivery: still under), plus 100 labels and 50 real moves.
    const next = edit(day0, (customer, values) =>
      customer % 20 === 0 ? { ...jitter(values, 0.002), segment: "s9" } : customer % 40 === 1 ? jitter(values, 0.02) : jitter(values, 0.002)
    )
    await writeModelCsv(file, next)
    const sent = await runReceived(workdir.path, args)
    expect(sent.result.code, sent.result.stderr).toBe(0)
    const expected = [...next.keys()].filter((customer) => customer % 20 === 0 || customer % 40 === 1)
    expect(customersOf(sent.messages)).toEqual(expected)
    for (const message of sent.messages) expect(carries(message, next.get(Number(message.userId!.slice(1)))!)).toBe(true)
    expect(snapshotModel(readSnapshot(stateDb()))).toEqual(afterDelivery(day0, next, expected))
  })
})

describe("incremental syncs: failed batches", () => {
  it("batches that fail for good leave their rows out of the snapshot (exit 4); the next run sends exactly those rows", async () => {
    const seed = runSeed()
    const context = `seed ${seed} (TABLECAST_FAULTS_SEED=${seed} replays it)`
    const file = workdir.file("scores.csv")
    // One try per batch: a 5xx ends the retry budget, and stops the run as unreachable (a 400 is
    // final and the run goes on).
    const args = (endpoint: string) => incrementalArgs(file, endpoint, ["--max-attempts", "1"])
    // Rows whose last request was answered with an error (a refused batch is sent again in halves:
    // its rows sent again and taken are not failed; a request cut short when the run stopped may
    // have been stored: not counted).
    const failedRows = (requests: ReadonlyArray<{ readonly number: number; readonly status: unknown; readonly rows: ReadonlyArray<number> }>) => {
      const last = new Map<number, unknown>()
      for (const request of [...requests].sort((a, b) => a.number - b.number)) for (const row of request.rows) last.set(row, request.status)
      return sorted([...last].filter(([, status]) => typeof status === "number" && status !== 200).map(([row]) => row))
    }

    // A first run: some batches answered 5xx by the receiver, any request holding row 250 refused with a 400.
    await writeModelCsv(file, day0)
    const faulty = await runReceived(workdir.path, args, {
      faults: { serverErrorShare: 0.15, seed },
      intercept: (request) => (request.rows.includes(250) ? { status: 400, body: { success: false, message: "batch[0]: refused" } } : undefined)
    })
    const statuses = faulty.requests.map((request) => request.status).join(",")
    expect(faulty.result.code, `${context}: answers ${statuses}\n${faulty.result.stdout.slice(0, 1_500)}\n${faulty.result.stderr}`).toBe(4)
    const failed = failedRows(faulty.requests)
    expect(failed.length, context).toBeGreaterThanOrEqual(1)
    const report = jsonReport(faulty.result)
    // The failed batches, and (when a 5xx stopped the run as unreachable) whatever was queued.
    expect(report.messages.refused + report.messages.undelivered, context).toBeGreaterThanOrEqual(failed.length)
    if (report.fatal !== undefined) expect(report.fatal.kind, context).toBe("unreachable")
    // The receiver may also hold batches in flight when the run stopped (their answers were not
    // waited for): stored ⊇ acknowledged, and nothing of a failed batch.
    const stored = customersOf(faulty.messages)
    expect(
      stored.filter((customer) => failed.includes(customer)),
      context
    ).toEqual([])
    expect(stored.length, context).toBeGreaterThanOrEqual(report.messages.accepted)
    // The snapshot holds exactly the acknowledged rows, with their values.
    const snapshot = snapshotModel(readSnapshot(stateDb()))
    const acknowledged = sorted(snapshot.keys())
    expect(acknowledged.length, context).toBe(report.messages.accepted)
    expect(
      acknowledged.filter((customer) => !stored.includes(customer)),
      context
    ).toEqual([])
    expect(snapshot, context).toEqual(afterDelivery(new Map(), day0, acknowledged))
    const notDelivered = [...day0.keys()].filter((customer) => !acknowledged.includes(customer))

    // The next run, without faults, sends those rows and nothing else.
    const retry = await runReceived(workdir.path, args)
    expect(retry.result.code, retry.result.stderr).toBe(0)
    expect(customersOf(retry.messages), context).toEqual(notDelivered)
    expect(snapshotModel(readSnapshot(stateDb()))).toEqual(day0)

    // Changed rows whose batch fails keep their last delivered values in the snapshot.
    const moved = edit(day0, (customer, values) => (customer % 5 === 0 ? bump(values, 0.25) : undefined))
    await writeModelCsv(file, moved)
    const changed = [...moved.keys()].filter((customer) => customer % 5 === 0)
    const bad = changed[7]!
    const refused = await runReceived(workdir.path, args, { intercept: (request) => (request.rows.includes(bad) ? { status: 400 } : undefined) })
    expect(refused.result.code, refused.result.stderr).toBe(4)
    const refusedRows = failedRows(refused.requests)
    expect(refusedRows).toEqual([bad])
    const accepted = changed.filter((customer) => !refusedRows.includes(customer))
    expect(customersOf(refused.messages)).toEqual(accepted)
    expect(snapshotModel(readSnapshot(stateDb()))).toEqual(afterDelivery(day0, moved, accepted))

    const again = await runReceived(workdir.path, args)
    expect(again.result.code, again.result.stderr).toBe(0)
    expect(customersOf(again.messages)).toEqual(refusedRows)
    // Sent again under the messageIds of the refused attempt: the same change of the same content.
    const refusedIds = new Set(
      refused.requests.filter((request) => request.status === 400 && request.rows.length === 1).flatMap((request) => request.messageIds)
    )
    expect(again.messages.every((message) => refusedIds.has(message.messageId))).toBe(true)
    expect(snapshotModel(readSnapshot(stateDb()))).toEqual(moved)
  })
})

describe("incremental syncs: kill -9 mid-run", () => {
  it("killed 3 times at seeded moments: the snapshot is never ahead of delivery; the last run completes; re-sent rows keep their messageIds", async () => {
    const seed = runSeed()
    const random = seededRandom(seed)
    const context = `seed ${seed} (TABLECAST_FAULTS_SEED=${seed} replays it)`
    const rows = 4_000
    const before = modelTable(1, rows)
    const file = workdir.file("scores.csv")
    await writeModelCsv(file, before)
    const receiver = await startReceiver(workdir.file("received.jsonl"))
    const proxy = receiver.proxy
    const args = incrementalArgs(file, proxy.url, ["--batch-count", "40", "--max-changed", "100%"])
    const options = { cwd: workdir.path, env: env() }
    const first = await runCli(args, options)
    expect(first.code, first.stderr).toBe(0)

    // The next day every score moved and 200 customers arrived; the receiver is slow, unevenly,
    // so batches are acknowledged out of order and the run lasts long enough to be killed.
    const after: ModelTable = new Map([...edit(before, (_customer, values) => bump(values, 0.25)), ...modelTable(rows + 1, rows + 200)])
    await writeModelCsv(file, after)
    receiver.sink.setFaults({ delayMillis: 80, slowShare: 0.5, seed })

    /** Every snapshot entry's values were acknowledged to the CLI for that customer; returns the entries holding `after`'s values. */
    const snapshotBehindDelivery = (label: string): number => {
      const acknowledged = new Map<number, Array<StoredMessage>>()
      for (const message of proxy.acknowledgedMessages.values()) {
        const customer = rowOf(message["userId"])
        let list = acknowledged.get(customer)
        if (list === undefined) {
          list = []
          acknowledged.set(customer, list)
        }
        list.push(message as unknown as StoredMessage)
      }
      const ahead: Array<number> = []
      let advanced = 0
      for (const [customer, values] of snapshotModel(readSnapshot(stateDb()))) {
        if (!(acknowledged.get(customer) ?? []).some((message) => carries(message, values))) ahead.push(customer)
        if (after.get(customer)?.score === values.score) advanced++
      }
      expect(ahead.slice(0, 10), `${context}, ${label}: snapshot entries no acknowledged message carried`).toEqual([])
      return advanced
    }

    const advancedAfterKill: Array<number> = []
    let finishedAlone = false
    for (let kill = 0; kill < 3; kill++) {
      const killed = await killMidRun(args, proxy, Math.floor(random() * 500), options)
      if (killed === undefined) {
        finishedAlone = true
        break
      }
      expect(killed.signal, context).toBe("SIGKILL")
      const advanced = snapshotBehindDelivery(`after kill ${kill + 1}`)
      // Never backwards: what one run committed, the next did not lose.
      expect(advanced, context).toBeGreaterThanOrEqual(advancedAfterKill.at(-1) ?? 0)
      advancedAfterKill.push(advanced)
    }
    expect(advancedAfterKill.length, `${context}: no kill landed mid-run`).toBeGreaterThan(0)
    expect(advancedAfterKill.at(-1)!, `${context}: every kill came before the first commit`).toBeGreaterThan(0)

    if (!finishedAlone) {
      const last = await runCli(args, options)
      expect(last.code, `${context}\n${last.stderr}`).toBe(0)
      const report = jsonReport(last)
      // The last run sends only what no earlier run had acknowledged.
      expect(report.messages.accepted, context).toBe(after.size - advancedAfterKill.at(-1)!)
    }
    snapshotBehindDelivery("at the end")
    expect(snapshotModel(readSnapshot(stateDb())), context).toEqual(after)

    await receiver.close()
    const stored = await readMessages(receiver.out)
    // Every row of the new day arrived at least once, each under one messageId however often it was sent.
    const idsOf = new Map<number, Set<string>>()
    const copiesOf = new Map<number, number>()
    for (const message of stored) {
      const customer = rowOf(message.userId)
      if (!carries(message, after.get(customer)!)) continue
      let ids = idsOf.get(customer)
      if (ids === undefined) {
        ids = new Set()
        idsOf.set(customer, ids)
      }
      ids.add(message.messageId)
      copiesOf.set(customer, (copiesOf.get(customer) ?? 0) + 1)
    }
    expect(sorted(idsOf.keys()), context).toEqual(sorted(after.keys()))
    const split = [...idsOf].filter(([, ids]) => ids.size !== 1).map(([customer]) => customer)
    expect(split.slice(0, 10), `${context}: rows re-sent under a new messageId`).toEqual([])
    const resent = [...copiesOf].filter(([, copies]) => copies > 1)
    expect(resent.length, `${context}: no row was re-sent, so the kills proved nothing about messageIds`).toBeGreaterThan(0)
    expect(receiver.sink.stats().duplicateMessageIds, context).toBe(stored.length - new Set(stored.map((message) => message.messageId)).size)
  })
})

describe("incremental syncs: the guard", () => {
  it("a broken model (every score zero) stops before sending: exit 8, nothing received, snapshot unchanged; --force sends it", async () => {
    const file = workdir.file("scores.csv")
    await writeModelCsv(file, day0)
    const first = await runReceived(workdir.path, (endpoint) => incrementalArgs(file, endpoint))
    expect(first.result.code, first.result.stderr).toBe(0)
    const snapshot = readSnapshot(stateDb())
    expect(snapshot.length).toBe(ROWS)

    const broken = edit(day0, (_customer, values) => ({ ...values, score: "0" }))
    await writeModelCsv(file, broken)
    const guarded = await runReceived(workdir.path, (endpoint) => incrementalArgs(file, endpoint))
    expect(guarded.result.code, guarded.result.stderr).toBe(8)
    const report = jsonReport(guarded.result)
    expect(report.fatal?.kind).toBe("guard")
    expect(report.fatal?.message).toMatch(/2000 of the snapshot's 2000 rows changed \(100%\), over the guard's 50%.*--force/)
    expect(guarded.requests.length).toBe(0)
    expect(guarded.messages.length).toBe(0)
    // `tablecast plan` gives the same verdict.
    const plan = await runCli(planArgs(file), { cwd: workdir.path, env: env() })
    expect(plan.code, plan.stderr).toBe(8)
    expect((JSON.parse(plan.stdout) as IncrementalPlan).guard.tripped).toMatch(/over the guard's 50%/)
    // Not a byte of the snapshot moved (updated_at included).
    expect(readSnapshot(stateDb())).toEqual(snapshot)

    // Removals have their own threshold: a third of the customers gone trips it in a mode that sends removals.
    const shrunk = edit(day0, (customer) => (customer % 3 === 0 ? "remove" : undefined))
    await writeModelCsv(file, shrunk)
    const removals = await runReceived(workdir.path, (endpoint) => incrementalArgs(file, endpoint, ["--mode", "all"]))
    expect(removals.result.code, removals.result.stderr).toBe(8)
    expect(jsonReport(removals.result).fatal?.message).toMatch(/666 of the snapshot's 2000 rows are removed \(33\.3%\), over the guard's 20%/)
    expect(removals.requests.length).toBe(0)
    expect(readSnapshot(stateDb())).toEqual(snapshot)

    await writeModelCsv(file, broken)
    const forced = await runReceived(workdir.path, (endpoint) => incrementalArgs(file, endpoint, ["--force"]))
    expect(forced.result.code, forced.result.stderr).toBe(0)
    expect(jsonReport(forced.result).incremental?.guard).toMatchObject({ forced: true })
    expect(customersOf(forced.messages)).toEqual(sorted(broken.keys()))
    for (const message of forced.messages) expect(message.properties?.["score"]).toBe(0)
    expect(snapshotModel(readSnapshot(stateDb()))).toEqual(broken)
  })
})

describe("incremental syncs: duplicate keys and --full", () => {
  it("a key on two rows is a reject naming both rows (exit 3); --full sends every row and drops keys no longer present", async () => {
    const file = workdir.file("scores.csv")
    const rejects = workdir.file("rejects.jsonl")
    // Rows 2001 and 2002 repeat the keys of rows 5 and 10 (the first with other values).
    await writeModelCsv(file, day0, ["c5,0.9999,s6,churn-v3", "c10,0.7919,s3,churn-v3"])
    const first = await runReceived(workdir.path, (endpoint) => incrementalArgs(file, endpoint, ["--rejects", rejects]))
    expect(first.result.code, first.result.stderr).toBe(3)
    const report = jsonReport(first.result)
    expect(report.incremental?.rows).toMatchObject({ read: ROWS + 2, added: ROWS, duplicates: 2 })
    expect(report.rows.rejected).toBe(2)
    const rejected = (await readFile(rejects, "utf8"))
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as { row: number; reason: string })
    expect(rejected.map((reject) => reject.row).sort()).toEqual([ROWS + 1, ROWS + 2])
    expect(rejected.find((reject) => reject.row === ROWS + 1)!.reason).toMatch(/duplicate key \["c5"\]: row 5 has it too/)
    expect(rejected.find((reject) => reject.row === ROWS + 2)!.reason).toMatch(/duplicate key \["c10"\]: row 10 has it too/)
    // The first row with a key is the one sent and kept.
    expect(customersOf(first.messages)).toEqual(sorted(day0.keys()))
    expect(carries(first.messages.find((message) => message.userId === "c5")!, day0.get(5)!)).toBe(true)
    expect(snapshotModel(readSnapshot(stateDb()))).toEqual(day0)

    // A full run of a table without the first 100 customers: every row sent, changed or not; the
    // 100 keys leave the snapshot (not sent as removals in the default mode).
    const fewer = edit(day0, (customer) => (customer <= 100 ? "remove" : undefined))
    await writeModelCsv(file, fewer)
    const full = await runReceived(workdir.path, (endpoint) => incrementalArgs(file, endpoint, ["--full"]))
    expect(full.result.code, full.result.stderr).toBe(0)
    expect(customersOf(full.messages)).toEqual(sorted(fewer.keys()))
    expect(full.messages.some((message) => message.event === "Segment Exited")).toBe(false)
    expect(jsonReport(full.result).incremental?.snapshot.forgotten).toBe(100)
    expect(snapshotModel(readSnapshot(stateDb()))).toEqual(fewer)
  })
})

describe("incremental syncs: tablecast plan", () => {
  it("plan --json before a run: its counts are what the run then sends, its sample shows before and after; it sends nothing", async () => {
    const file = workdir.file("scores.csv")
    await writeModelCsv(file, day0)
    const first = await runReceived(workdir.path, (endpoint) => incrementalArgs(file, endpoint))
    expect(first.result.code, first.result.stderr).toBe(0)
    await writeModelCsv(file, day1)
    const snapshot = readSnapshot(stateDb())

    const planned = await runReceived(workdir.path, () => planArgs(file, ["--mode", "all", "--sample", "5"]))
    expect(planned.result.code, planned.result.stderr).toBe(0)
    const plan = JSON.parse(planned.result.stdout) as IncrementalPlan
    const expected = classify(day0, day1)
    expect(plan.rows).toMatchObject({
      added: expected.added.length,
      changed: expected.changed.length,
      removed: expected.removed.length,
      unchanged: expected.unchanged.length
    })
    const messages = expected.added.length + expected.changed.length + expected.removed.length
    expect(plan.send).toMatchObject({ rows: expected.added.length + expected.changed.length, removals: expected.removed.length, messages })
    expect(plan.users).toEqual({ touched: messages, new: expected.added.length })
    expect(plan.sample.length).toBe(5)
    for (const change of plan.sample.filter((entry) => entry.kind === "changed")) {
      const customer = rowOf((JSON.parse(change.key) as Array<unknown>)[0])
      const moved = change.changes.find((column) => column.column === "score" || column.column === "segment")!
      const field = moved.column as keyof ModelValues
      expect(String(moved.before)).toBe(day0.get(customer)![field])
      expect(String(moved.after)).toBe(day1.get(customer)![field])
    }
    expect(plan.sample.some((entry) => entry.kind === "changed")).toBe(true)
    // Nothing sent, nothing changed.
    expect(planned.requests.length).toBe(0)
    expect(readSnapshot(stateDb())).toEqual(snapshot)

    // A dry run of the sync with a key prints the same plan, and sends nothing either.
    const dry = await runReceived(workdir.path, (endpoint) => incrementalArgs(file, endpoint, ["--mode", "all", "--dry-run"]))
    expect(dry.result.code, dry.result.stderr).toBe(0)
    expect(dry.requests.length).toBe(0)
    expect(jsonReport(dry.result).incremental?.send).toEqual(plan.send)
    expect(readSnapshot(stateDb())).toEqual(snapshot)

    // The run itself: as many requests and messages as planned (no time flush splits a batch).
    const run = await runReceived(workdir.path, (endpoint) => incrementalArgs(file, endpoint, ["--mode", "all", "--flush-interval", "600000"]))
    expect(run.result.code, run.result.stderr).toBe(0)
    expect(run.requests.length).toBe(plan.send.requests)
    expect(run.messages.length).toBe(plan.send.messages)
    expect(jsonReport(run.result).bytesSent).toBe(plan.send.bytes)
  })
})

describe("incremental syncs: the state store", () => {
  it("a corrupt state file, or a second run while one holds the snapshot: exit 9, nothing sent", async () => {
    const file = workdir.file("scores.csv")
    await writeModelCsv(file, day0)
    await mkdir(workdir.file(".tablecast"))
    const garbage = Buffer.alloc(8_192, 7)
    await writeFile(stateDb(), garbage)
    const corrupt = await runReceived(workdir.path, (endpoint) => incrementalArgs(file, endpoint))
    expect(corrupt.result.code, corrupt.result.stderr).toBe(9)
    expect(jsonReport(corrupt.result).fatal?.message).toMatch(/state\.db.*not a database/)
    expect(corrupt.requests.length).toBe(0)
    expect(await readFile(stateDb())).toEqual(garbage)

    await writeFile(stateDb(), "")
    // The first run holds the snapshot while the receiver throttles it (429, Retry-After: 1 s, until
    // released); a second run meanwhile is refused.
    const slow = await startReceiver(workdir.file("slow.jsonl"), { throttleShare: 1, retryAfterSeconds: 1 })
    const holder = startCli(incrementalArgs(file, slow.proxy.url, ["--max-attempts", "100"]), { cwd: workdir.path, env: env() })
    let holderEnded = false
    void holder.exited.then(() => (holderEnded = true))
    await waitFor("the first run's first request", () => slow.proxy.requests.length > 0)
    const second = await runReceived(workdir.path, (endpoint) => incrementalArgs(file, endpoint))
    expect(holderEnded, holder.output().stderr).toBe(false)
    expect(second.result.code, second.result.stderr).toBe(9)
    expect(jsonReport(second.result).fatal?.message).toMatch(/another run holds the snapshot/)
    expect(second.requests.length).toBe(0)
    slow.sink.setFaults({ throttleShare: 0 })
    const first = await holder.exited
    expect(first.code, first.stderr).toBe(0)
    expect(snapshotModel(readSnapshot(stateDb()))).toEqual(day0)
  })
})
