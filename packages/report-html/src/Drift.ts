import type { CategoricalProfile, NumericProfile, PropertyProfile } from "@tablecast/core"
import { distributionShift, medianOf } from "./Distribution.ts"
import { formatShare, formatValue } from "./Figures.ts"

/**
 * A numeric property is called out when the largest gap between the two runs' distribution
 * functions is at least this: a tenth of the messages moved across some value.
 */
export const NUMERIC_SHIFT_CALLED_OUT = 0.1

/**
 * A categorical property is called out when its top values' shares moved by at least this much
 * in all (half the sum of the share differences: the share of messages whose value changed, at least).
 */
export const CATEGORICAL_SHIFT_CALLED_OUT = 0.1

/** How a property of this run compares with the same property in the previous run. */
export interface PropertyDrift {
  readonly path: string
  /** The sentence the report shows: "churn_score: median 0.21 → 0.34". */
  readonly text: string
  /** From 0 (the same) to 1 (nothing in common): see the two thresholds above. */
  readonly shift: number
  readonly calledOut: boolean
}

/** A property's name as the report shows it: its path without "properties." or "traits.". */
export const propertyName = (path: string): string => path.replace(/^(properties|traits|context\.traits)\./, "")

const numericDrift = (now: NumericProfile, previous: NumericProfile): PropertyDrift => {
  const shift = distributionShift(now.quantiles, previous.quantiles)
  return {
    path: now.path,
    text: `${propertyName(now.path)}: median ${formatValue(medianOf(previous.quantiles))} → ${formatValue(medianOf(now.quantiles))}`,
    shift,
    calledOut: shift >= NUMERIC_SHIFT_CALLED_OUT
  }
}

const sharesOf = (profile: CategoricalProfile): Map<string, number> =>
  new Map(profile.top.map((entry) => [entry.value, profile.count === 0 ? 0 : entry.count / profile.count]))

const categoricalDrift = (now: CategoricalProfile, previous: CategoricalProfile): PropertyDrift => {
  const nowShares = sharesOf(now)
  const previousShares = sharesOf(previous)
  const values = new Set([...nowShares.keys(), ...previousShares.keys()])
  let total = 0
  for (const value of values) total += Math.abs((nowShares.get(value) ?? 0) - (previousShares.get(value) ?? 0))
  const shift = Math.min(1, total / 2)
  const before = previous.top[0]
  const after = now.top[0]
  const topText = (entry: { readonly value: string; readonly count: number } | undefined, count: number) =>
    entry === undefined ? "none" : `"${entry.value}" ${formatShare(count === 0 ? 0 : entry.count / count)}`
  return {
    path: now.path,
    text: `${propertyName(now.path)}: top ${topText(before, previous.count)} → ${topText(after, now.count)}`,
    shift,
    calledOut: shift >= CATEGORICAL_SHIFT_CALLED_OUT
  }
}

/** How a property moved since the previous run; undefined when the previous run had no such property of the same kind. */
export const driftOf = (now: PropertyProfile, previous: PropertyProfile | undefined): PropertyDrift | undefined => {
  if (previous === undefined || previous.kind !== now.kind) return undefined
  if (now.kind === "numeric" && previous.kind === "numeric")
    return now.count === 0 || previous.count === 0 ? undefined : numericDrift(now, previous)
  if (now.kind === "categorical" && previous.kind === "categorical") return categoricalDrift(now, previous)
  return undefined
}
