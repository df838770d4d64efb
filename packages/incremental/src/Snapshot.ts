import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type * as Scope from "effect/Scope"
import { type BuiltMessage, MESSAGE_ID_SCHEME } from "@tablecast/core"
import type { SnapshotInDatabase } from "./DiffInDatabase.ts"
import type { SourceDigestsShape } from "./SourceDigests.ts"

/**
 * What an incremental sync remembers of a key: the content Segment last acknowledged for it.
 * Written only after every message of the row got a 2xx, so the snapshot is never ahead of delivery.
 */
export interface SnapshotEntry {
  /** The key columns' values as JSON text, e.g. `["c-42"]`. */
  readonly key: string
  /** Hash of the mapped content that counts as a change (tolerant and ignored columns left out). */
  readonly fingerprint: string
  /** JSON text of the row's synced column values as delivered: before/after, tolerance, removals. */
  readonly values: string
  /**
   * The source row's digest computed in the database (the Postgres source beside a Postgres store):
   * a row with the same digest next run is unchanged and need not leave the database. Stores that
   * cannot diff in the database ignore it.
   */
  readonly sourceDigest?: string
}

/** `unchanged` is staged only by a full run, which sends every row. */
export type ChangeKind = "added" | "changed" | "unchanged" | "removed"

/** A change planned for sending, staged between the plan and the send. */
export interface StagedChange {
  /** The source row (a removal: numbered after the last row read). */
  readonly rowNumber: number
  readonly kind: ChangeKind
  /**
   * The entry the snapshot takes once every message is acknowledged. A removal deletes
   * `entry.key` instead.
   */
  readonly entry: SnapshotEntry
  /** userId, else anonymousId: for the count of users the run touches and creates. */
  readonly user: string
  readonly messages: ReadonlyArray<BuiltMessage>
}

export class StateError extends Schema.TaggedError<StateError>()("StateError", {
  message: Schema.String
}) {}

/** Distinct users of the staged changes: `added` counts users of added keys only. */
export interface StagedUsers {
  readonly touched: number
  readonly added: number
}

/**
 * One run's view of a sync's snapshot. The run's working sets (keys seen, changes staged) live
 * beside the snapshot (SQLite temp tables, Postgres temp tables) and vanish with the run, so a
 * crash at any point leaves only acknowledged state behind. Every method works on a chunk of rows,
 * so a store can answer with one statement per chunk and memory stays flat.
 */
export interface SnapshotRun {
  /** Entries in the snapshot when the run opened it. */
  readonly size: number
  /**
   * The messageId scheme (`MESSAGE_ID_SCHEME`) the snapshot's last commit was made under; undefined
   * when none is recorded (a snapshot written before schemes were recorded: scheme 1). `commit`
   * records the current one. See `messageIdSchemeNote`.
   */
  readonly messageIdScheme?: number
  /** The entries of these keys, in the same order (undefined: not in the snapshot). */
  readonly lookup: (keys: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<SnapshotEntry | undefined>, StateError>
  /**
   * The fingerprints of these keys, in the same order: what the plan compares every row with. Cheaper
   * than `lookup` (no values), which the plan needs only for its sample and for removals.
   */
  readonly fingerprints: (keys: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<string | undefined>, StateError>
  /**
   * Records the keys as seen in this run. Answers, for each, the row that had the key first when
   * the key was already seen (earlier in this run or earlier in this chunk): a duplicate.
   */
  readonly see: (
    rows: ReadonlyArray<{ readonly key: string; readonly rowNumber: number }>
  ) => Effect.Effect<ReadonlyArray<number | undefined>, StateError>
  /** Stages changes for sending. */
  readonly stage: (changes: ReadonlyArray<StagedChange>) => Effect.Effect<void, StateError>
  /** Drops the staged changes of these keys (duplicated keys are sent by no row). */
  readonly unstage: (keys: ReadonlyArray<string>) => Effect.Effect<void, StateError>
  /** Snapshot entries whose key this run has not seen: the removed rows. */
  readonly unseen: Stream.Stream<SnapshotEntry, StateError>
  /** The staged changes in the order they were staged. */
  readonly staged: Stream.Stream<StagedChange, StateError>
  readonly stagedUsers: Effect.Effect<StagedUsers, StateError>
  /** Records acknowledged changes: upserts their entries; a removal deletes its key. One transaction. */
  readonly commit: (delivered: ReadonlyArray<StagedChange>) => Effect.Effect<void, StateError>
  /** Deletes the entries this run did not see (a full run rebuilding the snapshot). */
  readonly forgetUnseen: Effect.Effect<number, StateError>
  /**
   * A store beside the source's database (diff in the database): records the hash of the sync's
   * mapping and answers whether the entries' source digests were written under it. When not, it
   * forgets every source digest of the sync first, so that no digest of another mapping is trusted.
   */
  readonly adoptSpec?: (specHash: string) => Effect.Effect<boolean, StateError>
  /**
   * Records as seen the keys of the entries whose source digest a current source row has (the rows
   * the filtered read leaves in the database), given the source's digests (`SourceDigests`, in the
   * store's database). Answers how many: they are unchanged.
   */
  readonly seeUnchangedAtSource?: (source: SourceDigestsShape) => Effect.Effect<number, StateError>
}

/**
 * What a snapshot's recorded messageId scheme means for this run: an error for a snapshot written
 * by a newer tablecast (its ids could be ones this one does not make), a note for an older one.
 * Keyed messages (every message of an incremental sync) have the same ids in schemes 1 and 2, so
 * an older snapshot keeps working as it is and nothing is re-sent because of it.
 */
export const messageIdSchemeNote = (
  stored: number | undefined,
  size: number
): { readonly error: string } | { readonly note: string } | undefined => {
  if (stored !== undefined && stored > MESSAGE_ID_SCHEME) {
    return {
      error: `the snapshot was written under messageId scheme ${stored}, this tablecast knows up to ${MESSAGE_ID_SCHEME}: upgrade tablecast`
    }
  }
  if (size === 0 || (stored ?? 1) === MESSAGE_ID_SCHEME) return undefined
  return {
    note: `the snapshot was written under messageId scheme ${stored ?? 1}; scheme ${MESSAGE_ID_SCHEME} gives keyed rows the same ids, so nothing is re-sent because of it (the next commit records scheme ${MESSAGE_ID_SCHEME})`
  }
}

/** Where snapshots live: one per sync, addressed by the sync's namespace. */
export interface SnapshotStoreShape {
  /** Where the snapshots are, for messages (never holding a password). */
  readonly location: string
  /**
   * Opens a sync's snapshot for one run. Fails when another run holds the same sync (a store shared
   * by several machines), so two runs never interleave their commits.
   */
  readonly open: (sync: string) => Effect.Effect<SnapshotRun, StateError, Scope.Scope>
  /**
   * A store in a database a source may share (Postgres): where it is, and where it keeps a sync's
   * digests, for a diff in the database (`diffInDatabaseLayer`). Absent: every run diffs on the client.
   */
  readonly inDatabase?: SnapshotInDatabase
}

/** No store by default: a sync without one sends every row (the edge, plain runs). */
export const SnapshotStore = Context.Reference<SnapshotStoreShape | undefined>("tablecast/SnapshotStore", {
  defaultValue: () => undefined
})

/**
 * In memory, for tests and for callers that keep state themselves. Holds every key: not for large
 * tables (the SQLite and Postgres stores keep memory flat).
 */
export const memorySnapshotStore = (): SnapshotStoreShape & {
  readonly entries: (sync: string) => ReadonlyMap<string, SnapshotEntry>
  /** Commits recorded, in order: tests check that none is ahead of an acknowledgement. */
  readonly commits: Array<ReadonlyArray<StagedChange>>
} => {
  const snapshots = new Map<string, Map<string, SnapshotEntry>>()
  const open = new Set<string>()
  const commits: Array<ReadonlyArray<StagedChange>> = []
  const schemes = new Map<string, number>()
  const snapshotOf = (sync: string) => {
    let snapshot = snapshots.get(sync)
    if (snapshot === undefined) {
      snapshot = new Map()
      snapshots.set(sync, snapshot)
    }
    return snapshot
  }
  return {
    location: "memory",
    commits,
    entries: (sync) => snapshotOf(sync),
    open: (sync) =>
      Effect.acquireRelease(
        Effect.suspend(() => {
          if (open.has(sync)) return Effect.fail(new StateError({ message: `another run holds the snapshot of "${sync}"` }))
          open.add(sync)
          const snapshot = snapshotOf(sync)
          const seen = new Map<string, number>()
          const staged = new Map<string, StagedChange>()
          // Staged changes without a key of their own stay apart so that no two collide.
          const scheme = schemes.get(sync)
          const run: SnapshotRun = {
            size: snapshot.size,
            ...(scheme === undefined ? {} : { messageIdScheme: scheme }),
            lookup: (keys) => Effect.sync(() => keys.map((key) => snapshot.get(key))),
            fingerprints: (keys) => Effect.sync(() => keys.map((key) => snapshot.get(key)?.fingerprint)),
            see: (rows) =>
              Effect.sync(() =>
                rows.map(({ key, rowNumber }) => {
                  const first = seen.get(key)
                  if (first === undefined) seen.set(key, rowNumber)
                  return first
                })
              ),
            stage: (changes) =>
              Effect.sync(() => {
                for (const change of changes) staged.set(`${change.kind === "removed" ? "-" : "+"}${change.entry.key}`, change)
              }),
            unstage: (keys) =>
              Effect.sync(() => {
                for (const key of keys) {
                  staged.delete(`+${key}`)
                  staged.delete(`-${key}`)
                }
              }),
            unseen: Stream.suspend(() => Stream.fromIterable([...snapshot.values()].filter((entry) => !seen.has(entry.key)))),
            staged: Stream.suspend(() => Stream.fromIterable([...staged.values()])),
            stagedUsers: Effect.sync(() => {
              const touched = new Set<string>()
              const added = new Set<string>()
              for (const change of staged.values()) {
                touched.add(change.user)
                if (change.kind === "added") added.add(change.user)
              }
              return { touched: touched.size, added: added.size }
            }),
            commit: (delivered) =>
              Effect.sync(() => {
                commits.push(delivered)
                if (delivered.length > 0) schemes.set(sync, MESSAGE_ID_SCHEME)
                for (const change of delivered) {
                  if (change.kind === "removed") snapshot.delete(change.entry.key)
                  else snapshot.set(change.entry.key, change.entry)
                }
              }),
            forgetUnseen: Effect.sync(() => {
              let forgotten = 0
              for (const key of [...snapshot.keys()]) {
                if (!seen.has(key)) {
                  snapshot.delete(key)
                  forgotten++
                }
              }
              return forgotten
            })
          }
          return Effect.succeed(run)
        }),
        () => Effect.sync(() => open.delete(sync))
      )
  }
}
