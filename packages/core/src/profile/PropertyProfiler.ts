import { LogCollapsingLowestDenseDDSketch } from "@datadog/sketches-js"
import type { BuiltMessage } from "../map/BuiltMessage.ts"
import {
  type CategoricalProfile,
  MAX_PROFILED_PROPERTIES,
  type NumericProfile,
  type PropertyProfile,
  QUANTILE_POINTS,
  TOP_VALUES
} from "../report/RunProfile.ts"
import { cutValue, TopValues } from "./TopValues.ts"

/** The sketch's relative accuracy: a quantile it gives is within 1% of a value at that rank. */
export const QUANTILE_RELATIVE_ACCURACY = 0.01
/** Buckets per sign before the lowest collapse: 2,048 at 1% cover values from x to about 10^17·x. */
const SKETCH_BIN_LIMIT = 2_048
/** Counters of a categorical property's top-k (it reports TOP_VALUES of them). */
export const TOP_VALUE_COUNTERS = 64
/** Paths left out past MAX_PROFILED_PROPERTIES are counted up to this many (then the count stops). */
export const LEFT_OUT_COUNT_LIMIT = 10_000

type Root = "properties" | "traits"

/** One numeric property: exact count, min, max and sum; quantiles from the sketch. */
class NumericTrack {
  readonly kind = "numeric"
  readonly sketch = new LogCollapsingLowestDenseDDSketch({ relativeAccuracy: QUANTILE_RELATIVE_ACCURACY, binLimit: SKETCH_BIN_LIMIT })
  count = 0
  mismatched = 0
  min = Number.POSITIVE_INFINITY
  max = Number.NEGATIVE_INFINITY
  sum = 0
  constructor(
    readonly root: Root,
    readonly path: string
  ) {}
}

/** One categorical property (text, booleans, numbers as text): exact count, a bounded top-k. */
class CategoricalTrack {
  readonly kind = "categorical"
  readonly top = new TopValues(TOP_VALUE_COUNTERS)
  count = 0
  constructor(
    readonly root: Root,
    readonly path: string
  ) {}
}

type Track = NumericTrack | CategoricalTrack

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * Profiles the payloads of a run's messages (`properties` of track calls, `traits` of identify
 * calls), leaf path by leaf path, in memory bounded whatever the row count: at most
 * MAX_PROFILED_PROPERTIES paths, first-seen order; a numeric path keeps a DDSketch (relative
 * accuracy 1%, bounded buckets), a categorical one a Space-Saving top-k. A path's kind is that of
 * its first value that is not null: a number makes it numeric, text or a boolean categorical (a
 * number in a categorical path counts as its text, text in a numeric one as `mismatched`); arrays
 * are not profiled.
 */
export class PropertyProfiler {
  readonly #tracks = new Map<string, Track>()
  readonly #leftOut = new Set<string>()
  readonly #messages: Record<Root, number> = { properties: 0, traits: 0 }

  /** Profiles the payloads of these messages (each message's JSON is read once). */
  observe(messages: ReadonlyArray<BuiltMessage>): void {
    for (const message of messages) {
      const root: Root = message.type === "identify" ? "traits" : "properties"
      this.#messages[root]++
      const payload = (JSON.parse(message.json) as Record<string, unknown>)[root]
      if (isPlainObject(payload)) this.#walk(root, root, payload)
    }
  }

  #walk(root: Root, prefix: string, object: Record<string, unknown>): void {
    for (const key in object) {
      const value = object[key]
      if (value === null || value === undefined || Array.isArray(value)) continue
      const path = `${prefix}.${key}`
      if (typeof value === "object") {
        this.#walk(root, path, value as Record<string, unknown>)
        continue
      }
      const track = this.#trackOf(root, path, value)
      if (track !== undefined) this.#record(track, value)
    }
  }

  #trackOf(root: Root, path: string, value: unknown): Track | undefined {
    const found = this.#tracks.get(path)
    if (found !== undefined) return found
    if (this.#tracks.size >= MAX_PROFILED_PROPERTIES) {
      if (this.#leftOut.size < LEFT_OUT_COUNT_LIMIT) this.#leftOut.add(path)
      return undefined
    }
    const track = typeof value === "number" ? new NumericTrack(root, path) : new CategoricalTrack(root, path)
    this.#tracks.set(path, track)
    return track
  }

  #record(track: Track, value: unknown): void {
    if (track.kind === "numeric") {
      if (typeof value !== "number" || !Number.isFinite(value)) {
        track.mismatched++
        return
      }
      track.count++
      track.sum += value
      if (value < track.min) track.min = value
      if (value > track.max) track.max = value
      track.sketch.accept(value)
      return
    }
    track.top.add(typeof value === "string" ? cutValue(value) : String(value))
    track.count++
  }

  /** Paths seen past MAX_PROFILED_PROPERTIES (counted up to LEFT_OUT_COUNT_LIMIT). */
  get leftOut(): number {
    return this.#leftOut.size
  }

  /** The profiles, first-seen order. */
  profiles(): ReadonlyArray<PropertyProfile> {
    return [...this.#tracks.values()].map((track) => {
      if (track.kind === "categorical") {
        return {
          kind: "categorical",
          path: track.path,
          count: track.count,
          missing: this.#messages[track.root] - track.count,
          top: track.top.top(TOP_VALUES),
          capped: track.top.capped
        } satisfies CategoricalProfile
      }
      return {
        kind: "numeric",
        path: track.path,
        count: track.count,
        missing: this.#messages[track.root] - track.count - track.mismatched,
        ...(track.mismatched === 0 ? {} : { mismatched: track.mismatched }),
        ...numbersOf(track)
      } satisfies NumericProfile
    })
  }
}

/** A numeric track's figures: QUANTILE_POINTS quantiles, ascending, from min to max (exact ends). */
const numbersOf = (track: NumericTrack): Pick<NumericProfile, "min" | "max" | "mean" | "quantiles"> => {
  if (track.count === 0) return { min: 0, max: 0, mean: 0, quantiles: [] }
  const quantiles: Array<number> = []
  let previous = track.min
  for (let i = 0; i < QUANTILE_POINTS; i++) {
    const at = i === 0 ? track.min : i === QUANTILE_POINTS - 1 ? track.max : track.sketch.getValueAtQuantile(i / (QUANTILE_POINTS - 1))
    // The sketch answers within its accuracy, so an answer may fall just outside [min, max].
    const value = Math.min(track.max, Math.max(previous, at))
    quantiles.push(value)
    previous = value
  }
  return { min: track.min, max: track.max, mean: track.sum / track.count, quantiles }
}
