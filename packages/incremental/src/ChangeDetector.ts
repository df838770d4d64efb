import {
  columnRules,
  type ColumnTypes,
  compileMapper,
  convertColumnValue,
  EMPTY,
  type LibraryInfo,
  MESSAGE_ID_PREFIX,
  type SourceRow
} from "@tablecast/core"
import type { IncrementalSpec, Tolerance } from "./IncrementalSpec.ts"
import type { IncrementalSyncSpec } from "./IncrementalSyncSpec.ts"

/** A warehouse's BIGINT arrives as a bigint, which JSON.stringify refuses. */
const bigintAsText = (_key: string, value: unknown): unknown => (typeof value === "bigint" ? `${value}n` : value)

/**
 * Leads every fingerprint. A tablecast that computes fingerprints another way changes it, so that
 * an old snapshot reads as "every row changed" (the guard stops the run; `--full` rebuilds it)
 * rather than being compared as if it meant the same.
 */
export const FINGERPRINT_FORMAT = "f1:"

/** One column's move, for the plan's sample of changed rows. */
export interface ColumnChange {
  readonly column: string
  readonly before: unknown
  readonly after: unknown
  /** The move is below the column's tolerance: it does not count as a change by itself. */
  readonly withinTolerance?: boolean
}

export type Fingerprinted =
  | { readonly ok: true; readonly fingerprint: string }
  | { readonly ok: false; readonly reason: string; readonly column?: string }

const isEmpty = (value: unknown) => value === null || value === undefined || (typeof value === "string" && value.trim() === "")

const asNumber = (value: unknown): number | undefined => {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined
  if (typeof value === "bigint") return Number(value)
  if (typeof value === "string" && value.trim() !== "") {
    const number = Number(value)
    return Number.isFinite(number) ? number : undefined
  }
  return undefined
}

/** Whether a move from `before` to `after` reaches the tolerance (a non-number move always does). */
export const reachesTolerance = (before: unknown, after: unknown, tolerance: Tolerance): boolean => {
  const from = asNumber(before)
  const to = asNumber(after)
  if (from === undefined || to === undefined) return JSON.stringify(before ?? null, bigintAsText) !== JSON.stringify(after ?? null, bigintAsText)
  const delta = Math.abs(to - from)
  if (delta === 0) return false
  // The slack keeps a move of exactly the threshold counting despite binary fractions (0.735 - 0.725).
  const slack = 1 - 1e-9
  if (tolerance.absolute !== undefined && delta < tolerance.absolute * slack) return false
  if (tolerance.relative !== undefined && delta < tolerance.relative * Math.abs(from) * slack) return false
  return true
}

/**
 * The columns a sync reads when every payload lists its columns (none is "*"): the snapshot keeps
 * only those. Undefined when a payload takes every column.
 */
const explicitColumns = (
  spec: IncrementalSyncSpec,
  keyColumns: ReadonlyArray<string>,
  tolerant: ReadonlyArray<string>
): ReadonlySet<string> | undefined => {
  if (spec.properties === "*" || spec.traits === "*" || spec.groupTraits === "*") return undefined
  const ids = [spec.groupId, spec.customerId, spec.anonymousId, spec.timestamp].filter((column): column is string => column !== undefined)
  return new Set<string>([...spec.properties, ...(spec.traits ?? []), ...(spec.groupTraits ?? []), ...ids, ...keyColumns, ...tolerant])
}

/**
 * What an incremental sync needs of each row, compiled once per run: its key, the fingerprint of
 * its mapped content (ignored and tolerant columns left out), the values to keep in the snapshot,
 * and the tolerance check against the values last delivered.
 */
export const compileChangeDetector = (
  spec: IncrementalSyncSpec,
  keyColumns: ReadonlyArray<string>,
  settings: IncrementalSpec,
  library: LibraryInfo,
  /** What `auto` means for each column, as the source decided it. */
  columnTypes?: ColumnTypes
) => {
  const tolerant = Object.keys(settings.tolerance)
  const ignored = new Set<string>([...(settings.ignore ?? (spec.timestamp === undefined ? [] : [spec.timestamp])), ...tolerant])
  const keep = (list: IncrementalSyncSpec["properties"]): IncrementalSyncSpec["properties"] =>
    list === "*" ? "*" : list.filter((column) => !ignored.has(column))
  // The fingerprint is the messageId of the row mapped without the columns that do not count: it
  // covers every part of the mapping (event, renames, types), so a changed sync re-sends its rows.
  const contentSpec: IncrementalSyncSpec = {
    ...spec,
    name: `fingerprint:${spec.name ?? `${spec.type}:${spec.event ?? ""}`}`,
    exclude: [...spec.exclude, ...ignored, ...(spec.timestamp === undefined ? [] : [spec.timestamp])],
    properties: keep(spec.properties),
    ...(spec.traits === undefined ? {} : { traits: keep(spec.traits) }),
    ...(spec.groupTraits === undefined ? {} : { groupTraits: keep(spec.groupTraits) }),
    timestamp: spec.timestamp !== undefined && ignored.has(spec.timestamp) ? undefined : spec.timestamp,
    key: undefined,
    incremental: undefined
  }
  // A fingerprint is the content's own id: identical rows of different keys share it.
  const mapContent = compileMapper(contentSpec, library, { columnTypes, countRepeats: false })
  const ruleOf = columnRules(spec, columnTypes)

  const explicit = explicitColumns(spec, keyColumns, tolerant)
  const excluded = new Set(spec.exclude.filter((column) => !keyColumns.includes(column)))
  /** A value as the sync sends it (a CSV's "0.73" is the number 0.73), so before and after compare as sent. */
  const typed = (column: string, raw: unknown): unknown => {
    const converted = convertColumnValue(raw, ruleOf(column), column)
    if (converted === EMPTY) return null
    return converted.ok ? converted.value : raw
  }
  const keeps = (column: string) => (explicit === undefined ? !excluded.has(column) : explicit.has(column))
  /** The row's values the snapshot keeps, as read (typing them for every row would cost more than the rest of a plan). */
  const kept = (values: SourceRow["values"]): Readonly<Record<string, unknown>> => {
    if (explicit === undefined && excluded.size === 0) return values
    const result: Record<string, unknown> = {}
    for (const column of Object.keys(values)) {
      if (!keeps(column)) continue
      Object.defineProperty(result, column, { value: values[column] ?? null, enumerable: true, writable: true, configurable: true })
    }
    return result
  }
  /** `hash` or `hash|[tolerant values]`: the hash covers the content that counts at any change. */
  const split = (fingerprint: string): { readonly hash: string; readonly tolerant: string } => {
    const bar = fingerprint.indexOf("|")
    return bar < 0 ? { hash: fingerprint, tolerant: "" } : { hash: fingerprint.slice(0, bar), tolerant: fingerprint.slice(bar + 1) }
  }

  const notMoving = new Set<string>(
    [...ignored, ...keyColumns, spec.customerId, spec.anonymousId, spec.groupId, spec.timestamp].filter((c): c is string => c !== undefined)
  )
  // Tolerant columns are "ignored" for the content hash, yet they are the numbers whose movement counts most.
  for (const column of tolerant) notMoving.delete(column)

  return {
    /**
     * The number a column's value is as sent (a CSV's "0.73" is 0.73), or undefined when it is none:
     * what the customer movement compares.
     */
    numberOf: (column: string, raw: unknown): number | undefined => {
      const value = typed(column, raw)
      return typeof value === "number" && Number.isFinite(value) ? value : undefined
    },

    /** The columns a row's movement can be measured on: synced, not a key, id, timestamp or ignored column. */
    movingColumns: (values: SourceRow["values"]): ReadonlyArray<string> =>
      Object.keys(values).filter((column) => keeps(column) && !notMoving.has(column)),

    /** The key as JSON text, or the key column that is empty. */
    keyOf: (values: SourceRow["values"]): { readonly key: string } | { readonly emptyColumn: string } => {
      const parts: Array<unknown> = []
      for (const column of keyColumns) {
        const value = values[column]
        if (isEmpty(value)) return { emptyColumn: column }
        parts.push(value)
      }
      return { key: JSON.stringify(parts, bigintAsText) }
    },

    /**
     * The hash of the mapped content without the ignored and tolerant columns, followed (with a
     * tolerance) by the tolerant columns' values as sent: the snapshot keeps the values last sent,
     * so a plan compares every row without reading the row's stored values.
     */
    fingerprint: (row: SourceRow): Fingerprinted => {
      const mapped = mapContent(row)
      if (!mapped.ok) return mapped
      let fingerprint = FINGERPRINT_FORMAT
      for (const message of mapped.messages) fingerprint += message.messageId.slice(MESSAGE_ID_PREFIX.length)
      if (tolerant.length > 0)
        fingerprint += `|${JSON.stringify(
          tolerant.map((column) => typed(column, row.values[column])),
          bigintAsText
        )}`
      return { ok: true, fingerprint }
    },

    /** Whether the content that counts at any change differs between two fingerprints. */
    contentChanged: (previous: string, current: string): boolean => split(previous).hash !== split(current).hash,

    /** The values the snapshot keeps: the columns the sync reads, as JSON text. */
    snapshotValues: (values: SourceRow["values"]): string => JSON.stringify(kept(values), bigintAsText),

    /**
     * How the tolerant columns moved between the fingerprint last sent and this one: far enough to
     * count (`reached`), only below their thresholds (`within`), or not at all.
     */
    tolerantMove: (previous: string, current: string): "reached" | "within" | "none" => {
      const before = split(previous).tolerant
      const after = split(current).tolerant
      if (before === after) return "none"
      const from = (before === "" ? [] : JSON.parse(before)) as Array<unknown>
      const to = (after === "" ? [] : JSON.parse(after)) as Array<unknown>
      let moved = false
      for (let i = 0; i < tolerant.length; i++) {
        if (reachesTolerance(from[i] ?? null, to[i] ?? null, settings.tolerance[tolerant[i]!]!)) return "reached"
        if (JSON.stringify(from[i] ?? null) !== JSON.stringify(to[i] ?? null)) moved = true
      }
      return moved ? "within" : "none"
    },

    /** The columns that differ from the snapshot's values, for the plan's sample. */
    differences: (previous: string | undefined, values: SourceRow["values"]): ReadonlyArray<ColumnChange> => {
      const before = previous === undefined ? {} : (JSON.parse(previous) as Record<string, unknown>)
      // Through the same JSON text the snapshot keeps, so that both sides are read alike.
      const after = JSON.parse(JSON.stringify(kept(values), bigintAsText)) as Record<string, unknown>
      const changes: Array<ColumnChange> = []
      for (const column of new Set([...Object.keys(before), ...Object.keys(after)])) {
        if (!keeps(column)) continue
        // As sent: a CSV's "0.73" shows as the number 0.73.
        const from = typed(column, before[column])
        const to = typed(column, after[column])
        if (JSON.stringify(from) === JSON.stringify(to)) continue
        const tolerance = settings.tolerance[column]
        const withinTolerance = tolerance !== undefined && previous !== undefined && !reachesTolerance(from, to, tolerance)
        changes.push({ column, before: from, after: to, ...(withinTolerance ? { withinTolerance } : {}) })
      }
      return changes
    }
  }
}

export type ChangeDetector = ReturnType<typeof compileChangeDetector>
