import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type * as Scope from "effect/Scope"
import { type BuiltMessage, MESSAGE_ID_SCHEME } from "@tablecast/core"
import type { ChangeKind, SnapshotEntry, SnapshotRun, SnapshotStoreShape, StagedChange } from "../Snapshot.ts"
import { StateError } from "../Snapshot.ts"

/**
 * The behaviour every `SnapshotStoreShape` owes the engine, as cases that run against any store:
 * `memorySnapshotStore` is the reference, the SQLite and Postgres stores must answer the same.
 * Free of any test framework so that `@tablecast/core/testing` stays importable anywhere:
 *
 * ```ts
 * for (const c of snapshotStoreContract) it.effect(c.name, () => c.run(store))
 * ```
 *
 * Each case uses sync names of its own, so one store can serve every case. A case fails by
 * throwing (a defect) with a message that says what differed.
 */
export interface SnapshotStoreContractCase {
  readonly name: string
  readonly run: (store: SnapshotStoreShape) => Effect.Effect<void, unknown>
}

/** Canonical JSON (sorted object keys, `undefined` kept visible) for comparisons. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, inner: unknown) => {
    if (inner === undefined) return "<undefined>"
    if (inner !== null && typeof inner === "object" && !Array.isArray(inner)) {
      return Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    }
    return inner
  })

const expectEqual = (actual: unknown, expected: unknown, what: string): void => {
  const a = canonical(actual)
  const e = canonical(expected)
  if (a !== e)
    throw new Error(`${what}: expected ${e.length > 2000 ? `${e.slice(0, 2000)}…` : e}, got ${a.length > 2000 ? `${a.slice(0, 2000)}…` : a}`)
}

const expectTrue = (condition: boolean, what: string): void => {
  if (!condition) throw new Error(what)
}

let counter = 0
/** A sync name no other case (nor an earlier test run against a kept store) uses. */
const freshSync = (label: string): string =>
  `contract-${label}-${Date.now().toString(36)}-${(counter++).toString(36)}-${Math.random().toString(36).slice(2, 8)}`

const key = (id: string | number): string => JSON.stringify([String(id)])

const entry = (id: string | number, fingerprint = `fp-${id}`, values: Record<string, unknown> = { score: id }): SnapshotEntry => ({
  key: key(id),
  fingerprint,
  values: JSON.stringify(values)
})

const message = (rowNumber: number, id: string | number): BuiltMessage => {
  const json = `{"type":"track","userId":"u-${id}","event":"Score ✓","messageId":"m-${id}"}`
  return { rowNumber, type: "track", messageId: `m-${id}`, json, bytes: new TextEncoder().encode(json).length }
}

const change = (
  kind: ChangeKind,
  id: string | number,
  rowNumber: number,
  options: { readonly user?: string; readonly fingerprint?: string; readonly messages?: number } = {}
): StagedChange => ({
  rowNumber,
  kind,
  entry: entry(id, options.fingerprint ?? `fp-${id}`),
  user: options.user ?? `u-${id}`,
  messages: Array.from({ length: options.messages ?? 1 }, (_, i) => message(rowNumber, `${id}-${i}`))
})

/** Runs `body` with the sync opened, closing it (and its working sets) afterwards. */
const withRun = <A, E>(
  store: SnapshotStoreShape,
  sync: string,
  body: (run: SnapshotRun) => Effect.Effect<A, E, Scope.Scope>
): Effect.Effect<A, E | StateError> => Effect.scoped(Effect.flatMap(store.open(sync), body))

/** Commits entries `ids` in a run of their own. */
const seed = (store: SnapshotStoreShape, sync: string, ids: ReadonlyArray<string | number>) =>
  withRun(store, sync, (run) => run.commit(ids.map((id, i) => change("added", id, i + 1))))

const collect = <A, E>(stream: Stream.Stream<A, E>) => Stream.runCollect(stream)

/** More than one page of every store's paging (1,000 rows), with a partial last page. */
const MANY = 2_345

const cases: Array<SnapshotStoreContractCase> = [
  {
    name: "a new sync's snapshot is empty: size 0, lookups miss, nothing unseen, staged or forgotten",
    run: (store) =>
      withRun(store, freshSync("empty"), (run) =>
        Effect.gen(function* () {
          expectEqual(run.size, 0, "size")
          expectEqual(yield* run.lookup([key(1), key(2)]), [undefined, undefined], "lookup")
          expectEqual(yield* run.lookup([]), [], "lookup of no keys")
          expectEqual(yield* run.see([]), [], "see of no rows")
          expectEqual(yield* collect(run.unseen), [], "unseen")
          expectEqual(yield* collect(run.staged), [], "staged")
          expectEqual(yield* run.stagedUsers, { touched: 0, added: 0 }, "stagedUsers")
          expectEqual(yield* run.forgetUnseen, 0, "forgetUnseen")
        })
      )
  },
  {
    name: "lookup answers the entries of the keys in their order, undefined for keys not in the snapshot",
    run: (store) =>
      Effect.gen(function* () {
        const sync = freshSync("lookup")
        yield* seed(store, sync, ["a", "b", "c"])
        yield* withRun(store, sync, (run) =>
          Effect.gen(function* () {
            expectEqual(run.size, 3, "size")
            expectEqual(
              yield* run.lookup([key("c"), key("x"), key("a"), key("c"), key("b")]),
              [entry("c"), undefined, entry("a"), entry("c"), entry("b")],
              "lookup"
            )
            expectEqual(
              yield* run.fingerprints([key("c"), key("x"), key("a"), key("c"), key("b")]),
              [entry("c").fingerprint, undefined, entry("a").fingerprint, entry("c").fingerprint, entry("b").fingerprint],
              "fingerprints"
            )
            expectEqual(yield* run.fingerprints([]), [], "fingerprints of no keys")
          })
        )
      })
  },
  {
    name: "keys and values keep any text: quotes, unicode, empty strings, several columns",
    run: (store) =>
      Effect.gen(function* () {
        const sync = freshSync("text")
        const odd: Array<SnapshotEntry> = [
          { key: JSON.stringify(['it\'s "quoted"']), fingerprint: "f1", values: JSON.stringify({ name: "Zoë ✓ 🚀" }) },
          { key: JSON.stringify([""]), fingerprint: "", values: "{}" },
          { key: JSON.stringify(["c-1", 42, null]), fingerprint: "f3", values: JSON.stringify({ a: [1, "x"], b: null }) },
          { key: JSON.stringify(["back\\slash\nnewline"]), fingerprint: "f4", values: JSON.stringify({ t: "\u0001" }) }
        ]
        yield* withRun(store, sync, (run) =>
          run.commit(odd.map((e, i) => ({ rowNumber: i + 1, kind: "added" as const, entry: e, user: `u${i}`, messages: [] })))
        )
        yield* withRun(store, sync, (run) =>
          Effect.gen(function* () {
            expectEqual(yield* run.lookup(odd.map((e) => e.key)), odd, "lookup of odd keys")
            expectEqual(
              yield* run.see(odd.map((e, i) => ({ key: e.key, rowNumber: i + 1 }))),
              odd.map(() => undefined),
              "see"
            )
            expectEqual(yield* collect(run.unseen), [], "unseen after seeing every odd key")
          })
        )
      })
  },
  {
    name: "see answers the first row of a key seen before, within one chunk and across chunks",
    run: (store) =>
      withRun(store, freshSync("see"), (run) =>
        Effect.gen(function* () {
          const first = yield* run.see([
            { key: key("a"), rowNumber: 1 },
            { key: key("b"), rowNumber: 2 },
            { key: key("a"), rowNumber: 3 },
            { key: key("c"), rowNumber: 4 },
            { key: key("a"), rowNumber: 5 },
            { key: key("b"), rowNumber: 6 }
          ])
          expectEqual(first, [undefined, undefined, 1, undefined, 1, 2], "duplicates within a chunk")
          const second = yield* run.see([
            { key: key("d"), rowNumber: 7 },
            { key: key("c"), rowNumber: 8 },
            { key: key("d"), rowNumber: 9 },
            { key: key("a"), rowNumber: 10 }
          ])
          expectEqual(second, [undefined, 4, 7, 1], "duplicates across chunks")
          const large = Array.from({ length: MANY }, (_, i) => ({ key: key(`k${i % 2000}`), rowNumber: 100 + i }))
          const answered = yield* run.see(large)
          expectEqual(
            answered,
            large.map((_, i) => (i < 2000 ? undefined : 100 + (i % 2000))),
            "duplicates within a large chunk"
          )
        })
      )
  },
  {
    name: "staged changes come back whole, in staging order, across pages",
    run: (store) =>
      withRun(store, freshSync("staged"), (run) =>
        Effect.gen(function* () {
          const kinds: ReadonlyArray<ChangeKind> = ["added", "changed", "unchanged", "removed"]
          const changes = Array.from({ length: MANY }, (_, i) =>
            // Keys in an order unlike the staging order: a store must not sort by key.
            change(kinds[i % 4]!, `k${(i * 7919) % MANY}`, i + 1, { messages: i % 3 })
          )
          for (let i = 0; i < changes.length; i += 500) yield* run.stage(changes.slice(i, i + 500))
          expectEqual(yield* collect(run.staged), changes, "staged")
          // A stream is a description: running it again reads again.
          expectEqual((yield* collect(run.staged)).length, MANY, "staged, read a second time")
        })
      )
  },
  {
    name: "restaging a key replaces its change in place; an added and a removed change of one key stay apart",
    run: (store) =>
      withRun(store, freshSync("restage"), (run) =>
        Effect.gen(function* () {
          yield* run.stage([change("added", "a", 1), change("changed", "b", 2), change("removed", "a", 3)])
          yield* run.stage([change("changed", "a", 4, { fingerprint: "new" }), change("added", "c", 5)])
          expectEqual(
            yield* collect(run.staged),
            [change("changed", "a", 4, { fingerprint: "new" }), change("changed", "b", 2), change("removed", "a", 3), change("added", "c", 5)],
            "staged"
          )
          // Within one chunk too: the last change of a key wins, at the place of its first.
          yield* run.stage([change("added", "d", 6), change("changed", "d", 7, { fingerprint: "later" })])
          const staged = yield* collect(run.staged)
          expectEqual(staged[4], change("changed", "d", 7, { fingerprint: "later" }), "restaged within a chunk")
          expectEqual(staged.length, 5, "staged count")
        })
      )
  },
  {
    name: "unstage drops every staged change of the keys, added or removed",
    run: (store) =>
      withRun(store, freshSync("unstage"), (run) =>
        Effect.gen(function* () {
          yield* run.stage([change("added", "a", 1), change("changed", "b", 2), change("removed", "a", 3), change("added", "c", 4)])
          yield* run.unstage([key("a"), key("zzz")])
          expectEqual(yield* collect(run.staged), [change("changed", "b", 2), change("added", "c", 4)], "after unstage a")
          yield* run.unstage([])
          yield* run.unstage([key("b"), key("c")])
          expectEqual(yield* collect(run.staged), [], "after unstage b, c")
          expectEqual(yield* run.stagedUsers, { touched: 0, added: 0 }, "stagedUsers after unstaging all")
        })
      )
  },
  {
    name: "stagedUsers counts distinct users of the staged changes, and of added keys apart",
    run: (store) =>
      withRun(store, freshSync("users"), (run) =>
        Effect.gen(function* () {
          yield* run.stage([
            change("added", "a", 1, { user: "u1" }),
            change("added", "b", 2, { user: "u1" }),
            change("added", "c", 3, { user: "u2" }),
            change("changed", "d", 4, { user: "u2" }),
            change("changed", "e", 5, { user: "u3" }),
            change("removed", "f", 6, { user: "u4" }),
            change("unchanged", "g", 7, { user: "u5" })
          ])
          expectEqual(yield* run.stagedUsers, { touched: 5, added: 2 }, "stagedUsers")
          yield* run.unstage([key("c")])
          expectEqual(yield* run.stagedUsers, { touched: 5, added: 1 }, "stagedUsers after unstaging c")
        })
      )
  },
  {
    name: "unseen answers the snapshot's entries whose key this run has not seen, across pages",
    run: (store) =>
      Effect.gen(function* () {
        const sync = freshSync("unseen")
        const ids = Array.from({ length: MANY }, (_, i) => `k${i}`)
        yield* seed(store, sync, ids)
        yield* withRun(store, sync, (run) =>
          Effect.gen(function* () {
            expectEqual(run.size, MANY, "size")
            const byKey = (a: SnapshotEntry, b: SnapshotEntry) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
            expectEqual([...(yield* collect(run.unseen))].sort(byKey), ids.map((id) => entry(id)).sort(byKey), "unseen before any see")
            // Every third key seen, plus a key the snapshot does not have.
            yield* run.see([
              ...ids.filter((_, i) => i % 3 === 0).map((id, i) => ({ key: key(id), rowNumber: i + 1 })),
              { key: key("new"), rowNumber: 9999 }
            ])
            const unseen = [...(yield* collect(run.unseen))].sort(byKey)
            expectEqual(
              unseen,
              ids
                .filter((_, i) => i % 3 !== 0)
                .map((id) => entry(id))
                .sort(byKey),
              "unseen after seeing every third key"
            )
          })
        )
      })
  },
  {
    name: "commit upserts entries and deletes removed keys, and the snapshot persists across opens",
    run: (store) =>
      Effect.gen(function* () {
        const sync = freshSync("commit")
        yield* seed(store, sync, ["a", "b", "c"])
        yield* withRun(store, sync, (run) =>
          Effect.gen(function* () {
            yield* run.commit([change("changed", "a", 1, { fingerprint: "a2" }), change("removed", "b", 4), change("added", "d", 3)])
            // Visible at once within the run (lookup reads the snapshot as it is now).
            expectEqual(yield* run.lookup([key("a"), key("b")]), [entry("a", "a2"), undefined], "lookup after commit")
            yield* run.commit([])
            // In one commit, the last change of a key wins.
            yield* run.commit([
              change("added", "e", 5),
              change("removed", "e", 6),
              change("changed", "c", 2, { fingerprint: "c1" }),
              change("changed", "c", 2, { fingerprint: "c2" })
            ])
            // Removing a key the snapshot does not have is no error.
            yield* run.commit([change("removed", "never", 7)])
          })
        )
        yield* withRun(store, sync, (run) =>
          Effect.gen(function* () {
            expectEqual(run.size, 3, "size after commits")
            expectEqual(
              yield* run.lookup([key("a"), key("b"), key("c"), key("d"), key("e")]),
              [entry("a", "a2"), undefined, entry("c", "c2"), entry("d"), undefined],
              "lookup in a later run"
            )
          })
        )
      })
  },
  {
    name: "commits reach the snapshot even when the run fails afterwards",
    run: (store) =>
      Effect.gen(function* () {
        const sync = freshSync("durable")
        const failed = yield* Effect.flip(
          withRun(store, sync, (run) =>
            Effect.gen(function* () {
              yield* run.commit([change("added", "a", 1)])
              yield* run.stage([change("added", "b", 2)])
              return yield* Effect.fail("boom" as const)
            })
          )
        )
        expectEqual(failed, "boom", "the run's failure")
        yield* withRun(store, sync, (run) =>
          Effect.gen(function* () {
            expectEqual(yield* run.lookup([key("a"), key("b")]), [entry("a"), undefined], "lookup after a failed run")
          })
        )
      })
  },
  {
    name: "forgetUnseen deletes the entries this run did not see and answers how many",
    run: (store) =>
      Effect.gen(function* () {
        const sync = freshSync("forget")
        const ids = Array.from({ length: 30 }, (_, i) => i)
        yield* seed(store, sync, ids)
        yield* withRun(store, sync, (run) =>
          Effect.gen(function* () {
            yield* run.see(ids.filter((i) => i % 5 === 0).map((i) => ({ key: key(i), rowNumber: i + 1 })))
            expectEqual(yield* run.forgetUnseen, 24, "forgotten")
            expectEqual(yield* run.forgetUnseen, 0, "forgotten a second time")
          })
        )
        yield* withRun(store, sync, (run) =>
          Effect.gen(function* () {
            expectEqual(run.size, 6, "size after forgetting")
            expectEqual(
              yield* run.lookup(ids.slice(0, 6).map((i) => key(i))),
              [entry(0), undefined, undefined, undefined, undefined, entry(5)],
              "lookup after forgetting"
            )
          })
        )
      })
  },
  {
    name: "the run's working sets vanish when its scope closes",
    run: (store) =>
      Effect.gen(function* () {
        const sync = freshSync("working")
        yield* seed(store, sync, ["a", "b"])
        yield* withRun(store, sync, (run) =>
          Effect.gen(function* () {
            yield* run.see([
              { key: key("a"), rowNumber: 1 },
              { key: key("z"), rowNumber: 2 }
            ])
            yield* run.stage([change("added", "z", 2)])
          })
        )
        yield* withRun(store, sync, (run) =>
          Effect.gen(function* () {
            expectEqual(
              yield* run.see([
                { key: key("a"), rowNumber: 5 },
                { key: key("z"), rowNumber: 6 }
              ]),
              [undefined, undefined],
              "see in the next run"
            )
            expectEqual(yield* collect(run.staged), [], "staged in the next run")
            expectEqual(yield* run.stagedUsers, { touched: 0, added: 0 }, "stagedUsers in the next run")
            expectEqual(
              (yield* collect(run.unseen)).map((e) => e.key),
              [key("b")],
              "unseen in the next run"
            )
          })
        )
      })
  },
  {
    name: "syncs are apart: the same key in two syncs, each with its own snapshot and working sets",
    run: (store) =>
      Effect.gen(function* () {
        const one = freshSync("one")
        const two = freshSync("two")
        yield* seed(store, one, ["a"])
        yield* Effect.scoped(
          Effect.gen(function* () {
            const first = yield* store.open(one)
            const second = yield* store.open(two)
            expectEqual([first.size, second.size], [1, 0], "sizes")
            yield* first.see([{ key: key("a"), rowNumber: 1 }])
            expectEqual(yield* second.see([{ key: key("a"), rowNumber: 7 }]), [undefined], "see in the other sync")
            yield* second.stage([change("added", "a", 7)])
            expectEqual(yield* collect(first.staged), [], "staged of the first sync")
            yield* second.commit([change("added", "a", 7, { fingerprint: "two" })])
            expectEqual(yield* first.lookup([key("a")]), [entry("a")], "the first sync's entry")
            expectEqual(yield* second.lookup([key("a")]), [entry("a", "two")], "the second sync's entry")
            expectEqual(yield* second.forgetUnseen, 0, "forgetUnseen of the second sync")
          })
        )
      })
  },
  {
    name: "a second open of a sync is refused while a run holds it, and allowed once it closed",
    run: (store) =>
      Effect.gen(function* () {
        const sync = freshSync("lock")
        yield* Effect.scoped(
          Effect.gen(function* () {
            yield* store.open(sync)
            const refused = yield* Effect.flip(Effect.scoped(store.open(sync)))
            expectTrue(refused instanceof StateError, `refusal is a StateError: ${String(refused)}`)
            expectTrue(
              refused.message.includes("another run holds the snapshot of") && refused.message.includes(sync),
              `refusal message names the sync: ${refused.message}`
            )
          })
        )
        yield* withRun(store, sync, (run) => Effect.sync(() => expectEqual(run.size, 0, "size once the first run closed")))
      })
  },
  {
    name: "records the messageId scheme of its commits: none before the first, MESSAGE_ID_SCHEME after",
    run: (store) =>
      Effect.gen(function* () {
        const sync = freshSync("scheme")
        yield* withRun(store, sync, (run) => Effect.sync(() => expectEqual(run.messageIdScheme, undefined, "scheme of a new snapshot")))
        yield* seed(store, sync, ["a"])
        yield* withRun(store, sync, (run) => Effect.sync(() => expectEqual(run.messageIdScheme, MESSAGE_ID_SCHEME, "scheme after a commit")))
      })
  }
]

export const snapshotStoreContract: ReadonlyArray<SnapshotStoreContractCase> = cases
