import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { SnapshotStoreShape, StagedChange } from "../Snapshot.ts"

const KEYS = 200_000
const CHUNK = 2_000
const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1)

const change = (i: number, kind: StagedChange["kind"], fingerprint: string): StagedChange => ({
  rowNumber: i + 1,
  kind,
  entry: { key: JSON.stringify([`customer-${i}`]), fingerprint, values: JSON.stringify({ score: i / KEYS, segment: `s${i % 10}` }) },
  user: `customer-${i}`,
  messages: [{ rowNumber: i + 1, type: "track", messageId: `m-${i}`, json: `{"userId":"customer-${i}"}`, bytes: 25 }]
})

/** Node's, reached without importing it: core stays free of `node:` imports. */
const runtime = globalThis as unknown as {
  readonly gc?: () => void
  readonly process: { readonly memoryUsage: () => { readonly rss: number; readonly heapUsed: number } }
}

const expectEqual = (actual: unknown, expected: unknown, what: string) => {
  if (JSON.stringify(actual) !== JSON.stringify(expected))
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`)
}

/**
 * A 200,000-key run against a real store, shared by the stores' tests: the first run's commits, then
 * a run with 10% new, 10% changed and 10% removed keys staged, streamed and committed. Checks the
 * counts and that memory stays flat (heap after collections within 8 MiB), and prints the figures.
 * Needs `--expose-gc`.
 */
export const snapshotStoreLargeRun = async (store: SnapshotStoreShape, label: string): Promise<void> => {
  const gc = runtime.gc
  if (gc === undefined) throw new Error("run with --expose-gc (vitest.config.ts sets it)")
  let retained = 0
  let peakRss = 0
  const sample = (force: boolean) => {
    if (force) {
      gc()
      retained = Math.max(retained, runtime.process.memoryUsage().heapUsed)
    }
    peakRss = Math.max(peakRss, runtime.process.memoryUsage().rss)
  }

  // The first run: every key is new; its commits build the snapshot.
  const commitSeconds = await Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const run = yield* store.open("large")
        const started = performance.now()
        for (let i = 0; i < KEYS; i += 1_000) {
          yield* run.commit(Array.from({ length: 1_000 }, (_, j) => change(i + j, "added", `v1-${i + j}`)))
        }
        return (performance.now() - started) / 1000
      })
    )
  )

  gc()
  const baseline = runtime.process.memoryUsage()
  retained = baseline.heapUsed
  peakRss = baseline.rss

  // The second run: 10% changed, 10% removed (not in the table any more), 10% new keys.
  const figures = await Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const run = yield* store.open("large")
        expectEqual(run.size, KEYS, "size of the snapshot")
        let diffMillis = 0
        let staged = 0
        for (let start = KEYS / 10; start < (KEYS * 11) / 10; start += CHUNK) {
          const ids = Array.from({ length: CHUNK }, (_, j) => start + j)
          const keys = ids.map((i) => JSON.stringify([`customer-${i}`]))
          const began = performance.now()
          const entries = yield* run.lookup(keys)
          const duplicates = yield* run.see(keys.map((key, j) => ({ key, rowNumber: ids[j]! + 1 })))
          diffMillis += performance.now() - began
          expectEqual(
            duplicates.every((d) => d === undefined),
            true,
            "no duplicates"
          )
          const changes: Array<StagedChange> = []
          ids.forEach((i, j) => {
            if (entries[j] === undefined) changes.push(change(i, "added", `v1-${i}`))
            else if (i % 10 === 0) changes.push(change(i, "changed", `v2-${i}`))
          })
          yield* run.stage(changes)
          staged += changes.length
          if (start % (CHUNK * 10) === 0) sample(true)
          else sample(false)
        }
        let removed = 0
        const unseenBegan = performance.now()
        yield* Stream.runForEachArray(run.unseen, (entries) =>
          Effect.gen(function* () {
            yield* run.stage(
              entries.map((entry, j) => ({ ...change(removed + j, "removed", entry.fingerprint), entry, user: `gone ${entry.key}` }))
            )
            removed += entries.length
            sample(false)
          })
        )
        const unseenMillis = performance.now() - unseenBegan
        const users = yield* run.stagedUsers
        // Send and acknowledge: the staged changes stream out and commit a batch at a time.
        let committed = 0
        const began = performance.now()
        yield* Stream.runForEachArray(Stream.rechunk(run.staged, 1_000), (delivered) =>
          Effect.gen(function* () {
            yield* run.commit(delivered)
            committed += delivered.length
            if (committed % 20_000 === 0) sample(true)
            else sample(false)
          })
        )
        const commitMillis = performance.now() - began
        sample(true)
        return { diffMillis, staged, removed, users, committed, commitMillis, unseenMillis }
      })
    )
  )
  const keysPerSecond = Math.round(KEYS / (figures.diffMillis / 1000))
  console.log(
    `${label}: lookup+see ${KEYS} keys in ${(figures.diffMillis / 1000).toFixed(2)} s = ${keysPerSecond} keys/s; ` +
      `first run's commits ${KEYS} rows in ${commitSeconds.toFixed(2)} s = ${Math.round(KEYS / commitSeconds)} rows/s; ` +
      `unseen+stage ${figures.removed} in ${(figures.unseenMillis / 1000).toFixed(2)} s; ` +
      `staged→commit ${figures.committed} changes in ${(figures.commitMillis / 1000).toFixed(2)} s = ` +
      `${Math.round(figures.committed / (figures.commitMillis / 1000))} rows/s; ` +
      `RSS ${mib(baseline.rss)} MiB before, peak ${mib(peakRss)} MiB (+${mib(peakRss - baseline.rss)}); ` +
      `heap after GC ${mib(baseline.heapUsed)} MiB before, at most ${mib(retained)} MiB (+${mib(retained - baseline.heapUsed)})`
  )
  // 20,000 new + 18,000 changed (every tenth of the kept keys) + 20,000 removed.
  expectEqual(figures.removed, KEYS / 10, "removed")
  expectEqual(figures.staged, KEYS / 10 + (KEYS * 9) / 100, "staged")
  expectEqual(figures.committed, KEYS / 5 + (KEYS * 9) / 100, "committed")
  expectEqual(figures.users, { touched: figures.committed, added: KEYS / 10 }, "staged users")
  // What the run holds on to, after collections: a few pages, not the working sets.
  if (retained - baseline.heapUsed >= 8 * 1024 * 1024)
    throw new Error(`the run held ${mib(retained - baseline.heapUsed)} MiB after collections: its working sets are in memory`)

  const after = await Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const run = yield* store.open("large")
        const sampleKeys = [0, KEYS / 10, KEYS / 10 + 1, (KEYS * 11) / 10 - 1].map((i) => JSON.stringify([`customer-${i}`]))
        return { size: run.size, entries: yield* run.lookup(sampleKeys) }
      })
    )
  )
  expectEqual(after.size, KEYS, "size after the run")
  expectEqual(
    after.entries.map((entry) => entry?.fingerprint),
    [undefined, `v2-${KEYS / 10}`, `v1-${KEYS / 10 + 1}`, `v1-${(KEYS * 11) / 10 - 1}`],
    "entries after the run"
  )
}
