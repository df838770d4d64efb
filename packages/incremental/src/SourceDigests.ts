import type { MalformedRow, SourceError, SourceRow } from "@tablecast/core"
import * as Context from "effect/Context"
import type * as Stream from "effect/Stream"

/** A source row with the digest the database computed for it (the diff in the database). */
export interface DigestedRow extends SourceRow {
  /** The row's digest as the database holds it: kept beside the row's snapshot entry. */
  readonly sourceDigest?: string
}

/** What a source that computes digests reads: a digested row, or a row it had to refuse. */
export type DigestedItem = DigestedRow | { readonly _tag: "Malformed"; readonly malformed: MalformedRow }

/**
 * Where a snapshot store keeps the digests of a sync's entries, for a source in the same database
 * to leave out the rows unchanged since last acknowledged. The store names its table and columns;
 * the source reads them. Names are identifiers as they are, unquoted: whoever writes SQL with them
 * quotes them.
 */
export interface SnapshotDigestTable {
  readonly schema: string
  readonly table: string
  /** The column naming an entry's sync. */
  readonly syncColumn: string
  /** The column holding the digest of the source row an entry was written for (null: none). */
  readonly digestColumn: string
  /** The sync's namespace: its entries are the rows whose `syncColumn` holds it. */
  readonly sync: string
  /** The sync's key columns: rows sharing a key are never left out. */
  readonly key: ReadonlyArray<string>
}

/**
 * The source's rows as a relation of digests the store's database can read: one row per source
 * row. Column names are identifiers as they are, unquoted: the store quotes them.
 */
export interface SourceDigestRelation {
  /**
   * One read-only SELECT statement (the source's own query inside): the store runs it in a
   * read-only transaction of its session and joins it with its snapshot.
   */
  readonly select: string
  /** The column holding a row's digest. */
  readonly digestColumn: string
  /** The column counting the rows that share the row's key. */
  readonly copiesColumn: string
}

/**
 * What an incremental sync needs of a source that can leave unchanged rows in the database (the
 * Postgres source beside a Postgres state store). Only a run that the caller allows to diff in the
 * database uses it.
 */
export interface SourceDigestsShape {
  /** The source's rows with their digests, for the store to join with its snapshot. */
  readonly relation: SourceDigestRelation
  /** Source settings that change the rows' values (number and binary mappings): part of the spec hash. */
  readonly settings: string
  /**
   * The rows with their digests; `filtered`: without the rows of a key that appears once whose
   * digest is in the snapshot (they are unchanged since last acknowledged).
   */
  readonly rows: (filtered: boolean) => Stream.Stream<DigestedItem, SourceError>
}

/** The digests of the run's source, when it can diff in the database. */
export class SourceDigests extends Context.Service<SourceDigests, SourceDigestsShape>()("tablecast/SourceDigests") {}
