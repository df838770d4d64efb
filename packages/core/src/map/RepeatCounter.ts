/**
 * Counts how many times each content has been seen in a run, in fixed memory, so that identical
 * rows get distinct messageIds (`MessageId.ts`: the k-th occurrence of a content hashes k in).
 *
 * Three fixed-size parts, all typed arrays (no per-row objects, nothing for the GC to walk):
 *
 * 1. A split block Bloom filter (the one Parquet, Impala and Kudu use) over a 64-bit slice of the
 *    content's hash: 32-byte blocks of eight 32-bit words, one bit set per word, so a lookup reads
 *    one cache line. It answers "seen before?" with no false negatives and a small false-positive
 *    rate. Almost every row of a table is a first occurrence and stops here.
 * 2. An exact table (open addressing, linear probing) of the contents the filter reported as seen:
 *    the 64-bit hash and its count, 12 bytes a slot. It grows with the number of *repeated*
 *    contents (plus the filter's false positives), up to `exactSlots`.
 * 3. When the exact table is full, a count-min sketch (conservative update) gives the contents it
 *    cannot hold a number that still rises by at least one at each occurrence.
 *
 * What the run relies on is only this: for one content, the numbers handed out rise strictly, and
 * the same sequence of contents gets the same numbers. Both hold whatever the sizes: a false
 * positive (a first occurrence the filter takes for a repeat) starts that content at 2, not 1; a
 * 64-bit collision between two contents makes their numbers share a counter; the sketch
 * over-counts. Each of these only skips numbers — messageIds stay distinct (they hash the content
 * itself too) and stay the same on a re-run in the same order.
 *
 * Pure TypeScript, no `node:` imports: it runs on Workers too.
 */

export interface RepeatCounterOptions {
  /** Bytes of the Bloom filter, a power of two ≥ 32 (default 8 MiB; see `DEFAULT_FILTER_BYTES`). */
  readonly filterBytes?: number
  /** Slots of the exact table at most, a power of two (default 2^18: 3 MiB, up to 196,608 contents). */
  readonly exactSlots?: number
  /** Counters of the count-min sketch used once the exact table is full (default 2^18: 1 MiB, allocated only then). */
  readonly sketchCells?: number
}

/**
 * 8 MiB: 13.4 bits per content at 5,000,000 rows (the CLI's memory budget is set for that many).
 * False positives measured (bench/src/repeats, unique contents): 2,567 in 5,000,000 (0.05%),
 * 128,904 in 10,000,000 (1.3%), 2,658,244 in 20,000,000 (13%): the rate grows steeply past about
 * 7 million. A larger filter costs its size in peak memory, which the CLI's budget cannot spare.
 */
export const DEFAULT_FILTER_BYTES = 8 * 1024 * 1024
export const DEFAULT_EXACT_SLOTS = 1 << 18
export const DEFAULT_SKETCH_CELLS = 1 << 18

const INITIAL_EXACT_SLOTS = 1 << 10
/** The exact table doubles when it is 3/4 full (linear probing stays short below that). */
const MAX_LOAD = 0.75
/** Rows of the count-min sketch. */
const SKETCH_DEPTH = 4

/** Parquet's split block Bloom filter salts: one odd multiplier per word of a block. */
const SALT = new Uint32Array([0x47b6137b, 0x44974d91, 0x8824ad5b, 0xa2b7289d, 0x705495c7, 0x2df1424b, 0x9efc4947, 0x5c6bfb31])

const isPowerOfTwo = (n: number): boolean => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0 && n <= 2 ** 31

/**
 * The 64-bit slice of a content hash given as hex (at least 16 hex characters; a messageId's hex
 * part): its first 8 characters as `hi`, the next 8 as `lo`.
 */
export const hashSlice = (hex: string, from = 0): { readonly hi: number; readonly lo: number } => {
  const hi = hexWord(hex, from)
  const lo = hexWord(hex, from + 8)
  if (hi < 0 || lo < 0) throw new Error(`not a 64-bit hex hash: ${JSON.stringify(hex)}`)
  return { hi, lo }
}

/** The 8 hex digits of `hex` from `from` as an unsigned 32-bit number; -1 when they are not that. */
const hexWord = (hex: string, from: number): number => {
  if (hex.length < from + 8) return -1
  let value = 0
  for (let index = from; index < from + 8; index++) {
    const code = hex.charCodeAt(index)
    const digit = code >= 48 && code <= 57 ? code - 48 : code >= 97 && code <= 102 ? code - 87 : code >= 65 && code <= 70 ? code - 55 : -1
    if (digit < 0) return -1
    value = value * 16 + digit
  }
  return value
}

export class RepeatCounter {
  /** The filter: `blocks` blocks of 8 words. */
  private readonly filter: Uint32Array
  private readonly blocks: number
  /** The exact table: per slot [hi, lo, count]; count 0 is an empty slot. */
  private exact: Uint32Array
  private exactMask: number
  private readonly exactLimit: number
  private sketch: Uint32Array | undefined
  private readonly sketchCells: number

  /** Contents seen (first occurrences the filter did not know, and every later lookup). */
  occurrences = 0
  /** Occurrences numbered 2 or more: repeats (and the filter's false positives). */
  repeats = 0
  /** Contents held exactly. */
  exactEntries = 0
  /** Occurrences numbered by the sketch because the exact table was full. */
  sketched = 0

  constructor(options: RepeatCounterOptions = {}) {
    const filterBytes = options.filterBytes ?? DEFAULT_FILTER_BYTES
    const exactSlots = options.exactSlots ?? DEFAULT_EXACT_SLOTS
    const sketchCells = options.sketchCells ?? DEFAULT_SKETCH_CELLS
    if (!isPowerOfTwo(filterBytes) || filterBytes < 32) throw new RangeError(`filterBytes must be a power of two ≥ 32, not ${filterBytes}`)
    if (!isPowerOfTwo(exactSlots) || exactSlots < 4) throw new RangeError(`exactSlots must be a power of two ≥ 4, not ${exactSlots}`)
    if (!isPowerOfTwo(sketchCells) || sketchCells < SKETCH_DEPTH) {
      throw new RangeError(`sketchCells must be a power of two ≥ ${SKETCH_DEPTH}, not ${sketchCells}`)
    }
    this.filter = new Uint32Array(filterBytes / 4)
    this.blocks = filterBytes / 32
    const initial = Math.min(INITIAL_EXACT_SLOTS, exactSlots)
    this.exact = new Uint32Array(initial * 3)
    this.exactMask = initial - 1
    this.exactLimit = exactSlots
    this.sketchCells = sketchCells
  }

  /** Bytes held by the counter's arrays now. */
  get bytes(): number {
    return this.filter.byteLength + this.exact.byteLength + (this.sketch?.byteLength ?? 0)
  }

  /**
   * The occurrence number of the content whose hash is given as hex (`hashSlice`): 1 the first
   * time, then at least one more at each occurrence.
   */
  nextHex(hex: string, from = 0): number {
    // Read in place: no substring is made for each row.
    const hi = hexWord(hex, from)
    const lo = hexWord(hex, from + 8)
    if (hi < 0 || lo < 0) throw new Error(`not a 64-bit hex hash: ${JSON.stringify(hex)}`)
    return this.next(hi, lo)
  }

  /** The occurrence number of the content whose 64-bit hash is `hi`:`lo` (unsigned 32-bit halves). */
  next(hi: number, lo: number): number {
    this.occurrences++
    if (!this.filterAdd(hi >>> 0, lo >>> 0)) return 1
    this.repeats++
    return this.count(hi >>> 0, lo >>> 0)
  }

  /** Sets the content's bits; answers whether they were all set already (seen, or a false positive). */
  private filterAdd(hi: number, lo: number): boolean {
    // The block from the high half (multiply-shift: uniform over any number of blocks), the bit in
    // each of its words from the low half times that word's salt (its top 5 bits).
    const base = Math.floor((hi / 4294967296) * this.blocks) * 8
    const { filter } = this
    let seen = true
    for (let word = 0; word < 8; word++) {
      const bit = 1 << (Math.imul(lo, SALT[word]!) >>> 27)
      const index = base + word
      const value = filter[index]!
      if ((value & bit) === 0) {
        seen = false
        filter[index] = value | bit
      }
    }
    return seen
  }

  /** A content the filter reported as seen: its exact count, or the sketch's once the table is full. */
  private count(hi: number, lo: number): number {
    const found = this.find(hi, lo)
    if (found >= 0) {
      // Counts stay below 2^32: more occurrences of one content than that would need a larger table anyway.
      const next = this.exact[found + 2]! + 1
      this.exact[found + 2] = next
      return next
    }
    if (this.exactEntries + 1 > (this.exactMask + 1) * MAX_LOAD && !this.grow()) return this.sketchNext(hi, lo)
    // Not in the table: the filter's answer was either a false positive (this is the first
    // occurrence) or its first occurrence passed the filter unrecorded. Either way 2 is unused.
    const slot = this.find(hi, lo)
    const at = -slot - 1
    this.exact[at] = hi
    this.exact[at + 1] = lo
    this.exact[at + 2] = 2
    this.exactEntries++
    return 2
  }

  /** The index of the content's slot (≥ 0), or -(index of the empty slot where it would go) - 1. */
  private find(hi: number, lo: number): number {
    const { exact, exactMask } = this
    // The low half mixed once more: the filter used it already, the table wants independent bits.
    let slot = (Math.imul(lo ^ (hi >>> 16), 0x85ebca6b) >>> 0) & exactMask
    for (;;) {
      const at = slot * 3
      if (exact[at + 2] === 0) return -at - 1
      if (exact[at] === hi && exact[at + 1] === lo) return at
      slot = (slot + 1) & exactMask
    }
  }

  /** Doubles the exact table while it may; false when it is at its limit. */
  private grow(): boolean {
    const slots = this.exactMask + 1
    if (slots * 2 > this.exactLimit) return false
    const old = this.exact
    this.exact = new Uint32Array(slots * 2 * 3)
    this.exactMask = slots * 2 - 1
    for (let at = 0; at < old.length; at += 3) {
      const count = old[at + 2]!
      if (count === 0) continue
      const slot = -this.find(old[at]!, old[at + 1]!) - 1
      this.exact[slot] = old[at]!
      this.exact[slot + 1] = old[at + 1]!
      this.exact[slot + 2] = count
    }
    return true
  }

  /**
   * Count-min with conservative update: only the content's smallest counters rise, so its estimate
   * rises by exactly one at each of its occurrences (and by more only when other contents share all
   * of its counters). 1 + the estimate is at least 2 and rises strictly.
   */
  private sketchNext(hi: number, lo: number): number {
    this.sketched++
    const cells = this.sketchCells
    this.sketch ??= new Uint32Array(cells)
    const sketch = this.sketch
    const width = cells / SKETCH_DEPTH
    const mask = width - 1
    const indexes = [0, 0, 0, 0]
    let least = Number.POSITIVE_INFINITY
    for (let row = 0; row < SKETCH_DEPTH; row++) {
      const h = Math.imul(hi ^ Math.imul(lo, SALT[row]!), SALT[row + 4]!) >>> 0
      const index = row * width + ((h ^ (h >>> 15)) & mask)
      indexes[row] = index
      least = Math.min(least, sketch[index]!)
    }
    const estimate = least + 1
    for (const index of indexes) if (sketch[index]! < estimate) sketch[index] = estimate
    return 1 + estimate
  }
}
