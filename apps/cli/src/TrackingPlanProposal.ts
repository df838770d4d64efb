import type { ColumnFacts, SyncProposal } from "@tablecast/config"
import type { ColumnType, SyncSpecInput } from "@tablecast/core"
import { type PlannedProperty, plannedProperties, ruleLabel, type TrackingPlan, type TrackingPlanRule } from "@tablecast/tracking-plan"

/** A column as the proposal reads it: its facts, and the values seen (a whole-number check for `integer`). */
export type PlanColumn = ColumnFacts & { readonly samples?: ReadonlyArray<unknown> }

/** A planned property and the column that supplies it. */
export interface PropertyMatch {
  /** The property's place in the payload, e.g. `churnScore`, `rfm.recency`. */
  readonly property: string
  readonly column: string
  /** `exact`: the column has the property's name; `renamed`: it differs in case, `_`, `-`, spaces or dots. */
  readonly by: "exact" | "renamed"
  /** The type the sync declares for the column so that it fits (`string` for a file's number column the plan wants as text). */
  readonly declared?: ColumnType
}

/** A property whose column does not fit: what the plan says, and what the column is. */
export interface PropertyMisfit {
  readonly property: string
  readonly column: string
  readonly planned: ReadonlyArray<string>
  readonly actual: string
}

/** How one rule of the plan is met by the table's columns. */
export interface RuleCoverage {
  readonly rule: string
  readonly matches: ReadonlyArray<PropertyMatch>
  readonly misfits: ReadonlyArray<PropertyMisfit>
  /** Required properties no column supplies. */
  readonly missingRequired: ReadonlyArray<string>
  /** Optional properties no column supplies. */
  readonly missingOptional: ReadonlyArray<string>
  readonly planned: number
}

/** The proposal for a plan: the sync, why, and how each of the plan's rules is met. */
export interface PlanProposal extends SyncProposal {
  readonly trackingPlan: {
    readonly file: string
    readonly rule: RuleCoverage | undefined
    readonly others: ReadonlyArray<RuleCoverage>
  }
}

/** The same name once case, `_`, `-`, spaces and dots are set aside: `churnScore` ~ `churn_score`, `rfm.recency` ~ `rfm_recency`. */
const loose = (name: string): string => name.toLowerCase().replace(/[\s_.-]+/g, "")

const WHOLE_DECLARED = /^(?:(?:tiny|small|medium|big|huge)?int(?:eger)?\d*|int[1248]|(?:numeric|number|decimal)\s*\(\s*\d+\s*(?:,\s*0\s*)?\))$/i

/** The JSON types a column's values are sent as. */
const columnTypes = (column: PlanColumn): ReadonlyArray<string> => {
  switch (column.kind) {
    case "number":
    case "decimal":
      return WHOLE_DECLARED.test(column.sourceType) ? ["integer", "number"] : ["number"]
    case "boolean":
      return ["boolean"]
    case "json":
      return ["object", "array", "string", "number", "integer", "boolean"]
    case "array":
      return ["array"]
    default:
      // string, timestamp and date (ISO-8601 text), binary mapped to text.
      return ["string"]
  }
}

/** How the column is named in a misfit: `text`, `numeric(5,3)`, `number (a file's column)`. */
const actualOf = (column: PlanColumn): string =>
  column.sourceType === "text" && column.kind !== "string" ? `${column.kind} (a file's text read as ${column.kind})` : column.sourceType

type Fit = { readonly fits: true; readonly declared?: ColumnType } | { readonly fits: false }

const fitOf = (planned: PlannedProperty, column: PlanColumn): Fit => {
  const wanted = planned.types.filter((type) => type !== "null")
  if (wanted.length === 0) return { fits: true }
  const has = columnTypes(column)
  if (wanted.some((type) => has.includes(type))) return { fits: true }
  // A number column the plan wants whole: declared integer, a sync stops a row whose value is not.
  if (wanted.includes("integer") && has.includes("number")) return { fits: true, declared: "integer" }
  // A file's (or warehouse's) number or boolean can go as its text.
  if (wanted.includes("string") && (column.kind === "number" || column.kind === "decimal" || column.kind === "boolean")) {
    return { fits: true, declared: "string" }
  }
  return { fits: false }
}

/** The properties a rule names that a column may supply: its leaves (an object property with no listed children counts). */
const leavesOf = (rule: TrackingPlanRule): ReadonlyArray<PlannedProperty & { readonly property: string }> => {
  const all = plannedProperties(rule)
  const prefix = rule.call === "track" ? "properties." : "traits."
  return all
    .filter((entry) => !all.some((other) => other.path.startsWith(`${entry.path}.`)))
    .map((entry) => ({ ...entry, property: entry.path.startsWith(prefix) ? entry.path.slice(prefix.length) : entry.path }))
}

/** How a rule's properties are met by the columns (ids and the timestamp are the sync's, not the payload's). */
export const coverRule = (rule: TrackingPlanRule, columns: ReadonlyArray<PlanColumn>, reserved: ReadonlySet<string>): RuleCoverage => {
  // The ids and the timestamp are the message's own fields; a plan that also wants one as a property gets it last.
  const free = [...columns.filter((column) => !reserved.has(column.name)), ...columns.filter((column) => reserved.has(column.name))]
  const taken = new Set<string>()
  const matches: Array<PropertyMatch> = []
  const misfits: Array<PropertyMisfit> = []
  const missingRequired: Array<string> = []
  const missingOptional: Array<string> = []
  const leaves = leavesOf(rule)
  for (const planned of leaves) {
    const exact = free.find((column) => !taken.has(column.name) && column.name === planned.property)
    const column = exact ?? free.find((c) => !taken.has(c.name) && loose(c.name) === loose(planned.property))
    if (column === undefined) {
      ;(planned.required ? missingRequired : missingOptional).push(planned.property)
      continue
    }
    taken.add(column.name)
    const fit = fitOf(planned, column)
    if (!fit.fits) {
      misfits.push({ property: planned.property, column: column.name, planned: planned.types, actual: actualOf(column) })
      continue
    }
    matches.push({
      property: planned.property,
      column: column.name,
      by: column.name === planned.property ? "exact" : "renamed",
      ...(fit.declared === undefined ? {} : { declared: fit.declared })
    })
  }
  return { rule: ruleLabel(rule), matches, misfits, missingRequired, missingOptional, planned: leaves.length }
}

/** Better cover: more properties supplied, then fewer required ones missing. */
const better = (a: RuleCoverage, b: RuleCoverage): number =>
  b.matches.length - a.matches.length || a.missingRequired.length - b.missingRequired.length

const typeWord = (types: ReadonlyArray<string>): string => types.filter((type) => type !== "null").join(" or ") || "any type"

const coverageNotes = (coverage: RuleCoverage): ReadonlyArray<string> => [
  ...coverage.matches
    .filter((match) => match.by === "renamed")
    .map((match) => `property "${match.property}" <- column "${match.column}" (renamed)`),
  ...coverage.matches
    .filter((match) => match.declared !== undefined)
    .map((match) => `column "${match.column}": declared ${match.declared} so that it fits the plan's "${match.property}"`),
  ...coverage.misfits.map(
    (misfit) =>
      `property "${misfit.property}": plan says ${typeWord(misfit.planned)}, column ${misfit.column} is ${misfit.actual} (left out: a sync would stop every row)`
  ),
  ...coverage.missingRequired.map((property) => `required property "${property}": no column supplies it (a sync would stop every row)`),
  ...(coverage.missingOptional.length === 0
    ? []
    : [`optional properties no column supplies: ${coverage.missingOptional.map((p) => `"${p}"`).join(", ")}`])
]

/**
 * Proposes a sync that satisfies a tracking plan where the columns allow it, from the proposal made
 * from the table alone (its ids and timestamp): the rule the columns cover best (a TRACK rule when
 * the plan has one, its event the sync's), each planned property from the column of its name (or of
 * its name but for case, `_` and spaces, renamed), the types that fit declared, and what cannot fit
 * named: a property whose column has another type, a required property no column supplies.
 */
export const proposeForPlan = (input: {
  readonly columns: ReadonlyArray<PlanColumn>
  readonly base: SyncProposal
  readonly plan: TrackingPlan
  /** The plan file as the user named it. */
  readonly file: string
}): PlanProposal => {
  const base = input.base.spec as SyncSpecInput & Record<string, unknown>
  const reserved = new Set(
    [base.customerId, base.anonymousId, base.timestamp, base.groupId].filter((column): column is string => typeof column === "string")
  )
  // A plan with TRACK rules proposes track calls, unless the table holds accounts and the plan has a GROUP rule.
  const calls = new Set(input.plan.rules.map((rule) => rule.call))
  const call = base.type === "group" && calls.has("group") ? "group" : calls.has("track") ? "track" : calls.has("identify") ? "identify" : "group"
  const candidates = input.plan.rules.filter((rule) => rule.call === call)
  const covered = candidates.map((rule) => ({ rule, coverage: coverRule(rule, input.columns, reserved) }))
  const ranked = [...covered].sort((a, b) => better(a.coverage, b.coverage))
  const best = ranked[0]
  const notes: Array<string> = []
  if (best === undefined) {
    notes.push(`${input.file} has no TRACK, IDENTIFY or GROUP rule to propose a sync for`)
    return { ...input.base, notes: [...input.base.notes, ...notes], trackingPlan: { file: input.file, rule: undefined, others: [] } }
  }
  const { rule, coverage } = best
  const renames: Record<string, string> = {}
  const declared: Record<string, ColumnType> = {}
  for (const match of coverage.matches) {
    if (match.column !== match.property) renames[match.column] = match.property
    if (match.declared !== undefined) declared[match.column] = match.declared
  }
  const supplied = coverage.matches.map((match) => match.column)
  const baseColumns = (base.columns ?? {}) as Record<string, ColumnType>
  const keptColumns = Object.fromEntries(Object.entries(baseColumns).filter(([column]) => reserved.has(column) || supplied.includes(column)))
  const columns = { ...keptColumns, ...declared }
  const { properties: _properties, traits: _traits, event: _event, type: _type, columns: _columns, groupId, ...ids } = base
  const spec: SyncSpecInput = {
    ...ids,
    ...(rule.call === "group" && groupId !== undefined ? { groupId } : {}),
    type: rule.call,
    ...(rule.call === "track" ? { event: rule.event!, properties: supplied } : { traits: supplied }),
    ...(Object.keys(renames).length === 0 ? {} : { rename: renames }),
    ...(Object.keys(columns).length === 0 ? {} : { columns })
  }
  const idNotes = input.base.notes.filter((note) => /^(?:customerId|groupId|timestamp|no column looks)/.test(note))
  notes.push(...idNotes)
  if (rule.call === "group" && groupId === undefined) notes.push("no column looks like an account's id: set groupId, the group each call is about")
  notes.push(
    `${coverage.rule} of ${input.file}: ${coverage.matches.length} of its ${coverage.planned} properties supplied by the columns${rule.call === "track" ? ", its event the sync's" : ""}`
  )
  notes.push(...coverageNotes(coverage))
  const misfitting = new Set(coverage.misfits.map((misfit) => misfit.column))
  const unused = input.columns.filter(
    (column) => !reserved.has(column.name) && !supplied.includes(column.name) && !misfitting.has(column.name) && column.kind !== "binary"
  )
  if (unused.length > 0) notes.push(`columns the plan does not name, left out: ${unused.map((column) => `"${column.name}"`).join(", ")}`)
  const others = ranked.slice(1).map((entry) => entry.coverage)
  for (const other of others) notes.push(`other rule ${other.rule}: ${other.matches.length} of its ${other.planned} properties supplied`)
  return { spec, notes, trackingPlan: { file: input.file, rule: coverage, others } }
}
