import { type ColumnRule, columnRules, type ColumnTypes, sendsText } from "./ColumnTyping.ts"
import type { SyncSpec } from "../spec/SyncSpec.ts"

export interface PayloadPlan {
  /** Explicit list of columns, or undefined for "all remaining columns". */
  readonly columns: ReadonlyArray<string> | undefined
  /** Whether the list names a column twice (only the object path can report the clash). */
  readonly repeats: boolean
}

/** How one column's value goes into a payload, worked out on first sight of the column. */
export interface ColumnPlan {
  /** How its values are converted: a declared type, or `auto` as the source decided it. */
  readonly rule: ColumnRule
  /** What an empty value is written as (`null`, `""`), or undefined to leave it out. */
  readonly emptyJson: string | undefined
  /** Left out of "*" (an id, the timestamp, or excluded). */
  readonly excluded: boolean
  /**
   * `"name":` when the column lands on a top-level key of its own, which the payload can be written
   * with directly; undefined when only an object can place it (a nested or renamed target, a name
   * another column is renamed to, or an array-index name, which JSON writes before the others).
   */
  readonly keyJson: string | undefined
}

const ARRAY_INDEX = /^(?:0|[1-9]\d*)$/
const isArrayIndex = (key: string): boolean => ARRAY_INDEX.test(key) && Number(key) < 4_294_967_295

/** The plans of a sync's columns and payloads, each worked out once and cached (bounded). */
export type ColumnPlans = ReturnType<typeof compileColumnPlans>

export const compileColumnPlans = (spec: SyncSpec, columnTypes: ColumnTypes | undefined) => {
  const excluded = new Set<string>(spec.exclude)
  for (const column of [spec.customerId, spec.anonymousId, spec.groupId, spec.timestamp]) {
    if (column !== undefined) excluded.add(column)
  }
  // Listed group traits are the account's: the "*" of the user's calls leaves them out.
  if (Array.isArray(spec.groupTraits)) for (const column of spec.groupTraits) excluded.add(column)
  const targetPaths = new Map<string, ReadonlyArray<string>>()
  const targetPath = (column: string): ReadonlyArray<string> => {
    let path = targetPaths.get(column)
    if (path === undefined) {
      const target = Object.hasOwn(spec.rename, column) ? spec.rename[column]! : column
      path = spec.nest ? target.split(".") : [target]
      if (path.some((part) => part === "")) path = [target]
      if (targetPaths.size >= 10_000) targetPaths.clear()
      targetPaths.set(column, path)
    }
    return path
  }
  const ruleOf = columnRules(spec, columnTypes)
  const emptyJsonOf = (rule: ColumnRule): string | undefined =>
    spec.empty === "null" ? "null" : spec.empty === "empty" && sendsText(rule) ? '""' : undefined
  const plan = (list: SyncSpec["properties"]): PayloadPlan =>
    list === "*" ? { columns: undefined, repeats: false } : { columns: list, repeats: new Set(list).size !== list.length }
  const renameTargets = new Set<string>(Object.keys(spec.rename).map((column) => spec.rename[column]!))
  const columnPlans = new Map<string, ColumnPlan>()
  const columnPlan = (column: string): ColumnPlan => {
    let found = columnPlans.get(column)
    if (found === undefined) {
      const direct = !Object.hasOwn(spec.rename, column) && !renameTargets.has(column) && targetPath(column).length === 1 && !isArrayIndex(column)
      const rule = ruleOf(column)
      found = {
        rule,
        emptyJson: emptyJsonOf(rule),
        excluded: excluded.has(column),
        keyJson: direct ? `${JSON.stringify(column)}:` : undefined
      }
      // Tables have few columns; loose records (JSON rows) may bring new names on every row.
      if (columnPlans.size >= 10_000) columnPlans.clear()
      columnPlans.set(column, found)
    }
    return found
  }

  // The rows of a table share their columns: the plans of the last row's columns serve the next
  // row when its column names are the same (the same strings, so each check is one comparison).
  let lastColumns: ReadonlyArray<string> = []
  let lastPlans: ReadonlyArray<ColumnPlan> = []
  const plansOf = (columns: ReadonlyArray<string>): ReadonlyArray<ColumnPlan> => {
    if (columns.length === lastColumns.length) {
      let same = true
      for (let i = 0; i < columns.length; i++) {
        if (columns[i] !== lastColumns[i]) {
          same = false
          break
        }
      }
      if (same) return lastPlans
    }
    lastColumns = columns
    lastPlans = columns.map(columnPlan)
    return lastPlans
  }

  const listedPlans = new Map<PayloadPlan, ReadonlyArray<ColumnPlan>>()
  /** The plans of a payload's listed columns, worked out once per payload. */
  const plansOfList = (payloadPlan: PayloadPlan, columns: ReadonlyArray<string>): ReadonlyArray<ColumnPlan> => {
    let plans = listedPlans.get(payloadPlan)
    if (plans === undefined) {
      plans = columns.map(columnPlan)
      listedPlans.set(payloadPlan, plans)
    }
    return plans
  }

  const traitsPlan = plan(spec.traits ?? spec.properties)
  return {
    excluded,
    targetPath,
    columnPlan,
    plansOf,
    plansOfList,
    propertiesPlan: plan(spec.properties),
    traitsPlan,
    /** The group calls' traits: `groupTraits`, or the same traits as identify's. */
    groupTraitsPlan: spec.groupTraits === undefined ? traitsPlan : plan(spec.groupTraits)
  }
}
