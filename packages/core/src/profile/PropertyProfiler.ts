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
/** Significant digits of the quantiles between the ends. */
const QUANTILE_DIGITS = 5
/** Counters of a categorical property's top-k (it reports TOP_VALUES of them). */
export const TOP_VALUE_COUNTERS = 64
/** Paths left out past MAX_PROFILED_PROPERTIES are counted up to this many (then the count stops). */
export const LEFT_OUT_COUNT_LIMIT = 10_000

type Root = "properties" | "traits"

/** All messages are profiled up to this many; past it, a random sample that grows with the log of the count. */
export const PROFILE_ALL_UP_TO = 10_000

/** One numeric property: weighted count, min, max and sum; quantiles from the sketch. */
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

/** One categorical property (text, booleans, numbers as text): weighted count, a bounded top-k. */
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

/** A payload's key, as a tree: its children by name, and its track once it held a value (or `null`: left out). */
interface PathNode {
  readonly path: string
  readonly children: Map<string, PathNode>
  track: Track | null | undefined
}

const nodeOf = (path: string): PathNode => ({ path, children: new Map(), track: undefined })

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value)

/** mulberry32: a tiny seeded generator, so that a run's sample is the same on every run of the same rows. */
const seededRandom = (seed: number): (() => number) => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Profiles the payloads of a run's messages (`properties` of track calls, `traits` of identify
 * calls), leaf path by leaf path, in memory bounded whatever the row count: at most
 * MAX_PROFILED_PROPERTIES paths, first-seen order; a numeric path keeps a DDSketch (relative
 * accuracy 1%, bounded buckets), a categorical one a Space-Saving top-k. A path's kind is that of
 * its first value that is not null: a number makes it numeric, text or a boolean categorical (a
 * number in a categorical path counts as its text, text in a numeric one as `mismatched`); arrays
 * are not profiled.
 *
 * Reading a message's JSON costs about as much as a third of what the run spends on it, so past
 * PROFILE_ALL_UP_TO messages only a random sample is read: each message read stands for the gap
 * to the next one, drawn between 1 and twice (messages so far / PROFILE_ALL_UP_TO), and counts
 * with that weight. The figures are then estimates scaled to the messages mapped (min and max
 * those of the sample); about 56,000 messages of 1,000,000 are read.
 */
export class PropertyProfiler {
  readonly #roots: Record<Root, PathNode> = { properties: nodeOf("properties"), traits: nodeOf("traits") }
  readonly #tracks: Array<Track> = []
  readonly #leftOut = new Set<string>()
  /** Messages mapped, and the weights of those read, per payload. */
  readonly #messages: Record<Root, number> = { properties: 0, traits: 0 }
  readonly #weighed: Record<Root, number> = { properties: 0, traits: 0 }
  readonly #random: () => number
  #seen = 0
  #profiled = 0
  #next = 0

  constructor(seed = 20_261_207) {
    this.#random = seededRandom(seed)
  }

  /** Profiles the payloads of these messages (each message read is parsed once). */
  observe(messages: ReadonlyArray<BuiltMessage>): void {
    for (const message of messages) {
      const root: Root = message.type === "track" ? "properties" : "traits"
      this.#messages[root]++
      const index = this.#seen++
      if (index < this.#next) continue
      const weight = this.#gapAfter(index)
      this.#next = index + weight
      this.#profiled++
      this.#weighed[root] += weight
      const payload = (JSON.parse(message.json) as Record<string, unknown>)[root]
      if (isPlainObject(payload)) this.#walk(root, this.#roots[root], payload, weight)
    }
  }

  /** The messages the one read at `index` stands for: 1 up to PROFILE_ALL_UP_TO, then a random gap. */
  #gapAfter(index: number): number {
    if (index < PROFILE_ALL_UP_TO) return 1
    const mean = index / PROFILE_ALL_UP_TO
    return 1 + Math.floor(this.#random() * (2 * mean - 1))
  }

  #walk(root: Root, parent: PathNode, object: Record<string, unknown>, weight: number): void {
    for (const key in object) {
      const value = object[key]
      if (value === null || value === undefined || Array.isArray(value)) continue
      let node = parent.children.get(key)
      if (node === undefined) {
        // Past the limits, a new name is passed over: the tree would grow with every new name of loose JSON rows.
        if (this.#tracks.length >= MAX_PROFILED_PROPERTIES && this.#leftOut.size >= LEFT_OUT_COUNT_LIMIT) continue
        node = nodeOf(`${parent.path}.${key}`)
        parent.children.set(key, node)
      }
      if (typeof value === "object") {
        this.#walk(root, node, value as Record<string, unknown>, weight)
        continue
      }
      const track = node.track === undefined ? this.#trackOf(root, node, value) : node.track
      if (track !== null) this.#record(track, value, weight)
    }
  }

  #trackOf(root: Root, node: PathNode, value: unknown): Track | null {
    if (this.#tracks.length >= MAX_PROFILED_PROPERTIES) {
      if (this.#leftOut.size < LEFT_OUT_COUNT_LIMIT) this.#leftOut.add(node.path)
      node.track = null
      return null
    }
    const track = typeof value === "number" ? new NumericTrack(root, node.path) : new CategoricalTrack(root, node.path)
    this.#tracks.push(track)
    node.track = track
    return track
  }

  #record(track: Track, value: unknown, weight: number): void {
    if (track.kind === "numeric") {
      if (typeof value !== "number" || !Number.isFinite(value)) {
        track.mismatched += weight
        return
      }
      track.count += weight
      track.sum += value * weight
      if (value < track.min) track.min = value
      if (value > track.max) track.max = value
      track.sketch.accept(value, weight)
      return
    }
    track.top.add(typeof value === "string" ? cutValue(value) : String(value), weight)
    track.count += weight
  }

  /** Paths seen past MAX_PROFILED_PROPERTIES (counted up to LEFT_OUT_COUNT_LIMIT). */
  get leftOut(): number {
    return this.#leftOut.size
  }

  /** Messages seen, and of them those read (all of them up to PROFILE_ALL_UP_TO). */
  get sample(): { readonly messages: number; readonly profiled: number } {
    return { messages: this.#seen, profiled: this.#profiled }
  }

  /** The profiles, first-seen order; counts scaled from the weights read to the messages mapped. */
  profiles(): ReadonlyArray<PropertyProfile> {
    return this.#tracks.map((track) => {
      const messages = this.#messages[track.root]
      const scale = this.#weighed[track.root] === 0 ? 0 : messages / this.#weighed[track.root]
      const count = Math.round(track.count * scale)
      if (track.kind === "categorical") {
        return {
          kind: "categorical",
          path: track.path,
          count,
          missing: Math.max(0, messages - count),
          top: track.top.top(TOP_VALUES).map(({ value, count: seen }) => ({ value, count: Math.round(seen * scale) })),
          capped: track.top.capped
        } satisfies CategoricalProfile
      }
      const mismatched = Math.round(track.mismatched * scale)
      return {
        kind: "numeric",
        path: track.path,
        count,
        missing: Math.max(0, messages - count - mismatched),
        ...(mismatched === 0 ? {} : { mismatched }),
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
    // Inside, 5 significant digits (0.005% off at most, well within the sketch's 1%): a record
    // keeps 101 of them per property, and the history up to 1,000 records.
    const at =
      i === 0
        ? track.min
        : i === QUANTILE_POINTS - 1
          ? track.max
          : Number(track.sketch.getValueAtQuantile(i / (QUANTILE_POINTS - 1)).toPrecision(QUANTILE_DIGITS))
    // The sketch answers within its accuracy, so an answer may fall just outside [min, max].
    const value = Math.min(track.max, Math.max(previous, at))
    quantiles.push(value)
    previous = value
  }
  return { min: track.min, max: track.max, mean: track.sum / track.count, quantiles }
}
