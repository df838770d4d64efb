import fc from "fast-check"

// The generated cases: a table (columns, rows, with the hazards each holds) and the faults its
// receiver injects. Everything the properties expect is derived from this model, never from what
// the tool printed.

/** What a case can hold. Each is counted per path, and each path must meet each one K times. */
export const Hazards = [
  "deep-json",
  "identical-rows",
  "mixed-types",
  "trailing-zeros",
  "huge-integers",
  "invalid-utf8",
  "big-field",
  "nul",
  "control-values",
  "control-headers",
  "refused-batches",
  "server-errors",
  "resets",
  "lost-answers"
] as const
export type Hazard = (typeof Hazards)[number]

/** How a column is declared and what it holds. */
export type ColumnKind =
  /** Text only (`auto`): every value starts with `t_`, so no value reads as a number or a boolean. */
  | "text"
  /** `auto`, with numbers (some with trailing zeros), huge integers and words mixed. */
  | "mixed"
  /** Declared `--column c=json`: JSON texts, some nested thousands deep. */
  | "json"

export type CellKind = "text" | "number" | "trailing-zeros" | "huge-int" | "word" | "json" | "deep-json" | "big"

export interface Cell {
  readonly kind: CellKind
  /** The value as text (what the CSV holds between its quotes, minus any invalid bytes). */
  readonly text: string
  /** For deep JSON: the nesting depth. */
  readonly depth?: number
  /** Bytes that are not UTF-8, inserted in the CSV after `text`'s first character. */
  readonly invalidBytes?: ReadonlyArray<number>
}

export interface Column {
  readonly name: string
  readonly kind: ColumnKind
}

/** One data row: the group of identical rows it belongs to (its customer id is `c<group>`), and its cells. */
export interface Row {
  readonly group: number
  readonly cells: ReadonlyArray<Cell>
}

export interface Faults {
  /** Request numbers (1-based, retries counted) the recording proxy answers 400. */
  readonly refuseRequests: ReadonlyArray<number>
  /** Shares of requests the receiver answers 5xx, or resets. */
  readonly serverErrorShare: number
  readonly dropShare: number
  /** Some answers come after the client's timeout, once the receiver has stored the batch. */
  readonly lostAnswers: boolean
  readonly maxAttempts: number
  readonly seed: number
}

export interface HostileCase {
  readonly id: number
  readonly columns: ReadonlyArray<Column>
  readonly rows: ReadonlyArray<Row>
  readonly batchCount: number
  readonly faults: Faults
  readonly hazards: ReadonlySet<Hazard>
}

/** Bytes that are not UTF-8: a lone lead byte, a stray continuation, an overlong '/', a surrogate, over U+10FFFF, 0xFF. */
const InvalidSequences: ReadonlyArray<ReadonlyArray<number>> = [
  [0xc3],
  [0x80],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xff, 0xfe]
]

/** Control characters and terminal escapes a hostile value or header holds (NUL apart). */
const ControlChars = [
  "\u001b[31m",
  "\u001b[2J",
  "\u001b]0;owned\u0007",
  "\u0007",
  "\b",
  "\u000b",
  "\u000c",
  "\u007f",
  "\u009b",
  "\r\n",
  "\n",
  "\t",
  "\u001b[0m"
]

const letters = fc.string({ unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789"), minLength: 1, maxLength: 6 })
/** Text a CSV must carry: quotes, delimiters, non-ASCII. */
const plainText = fc.string({ unit: fc.constantFrom(..."abcxyz 019,;\"'é中😀"), minLength: 0, maxLength: 12 })

const controlText = (withNul: boolean) =>
  fc
    .tuple(
      plainText,
      fc.array(fc.constantFrom(...ControlChars, ...(withNul ? ["\u0000", "\u0000\u0000"] : [])), { minLength: 1, maxLength: 3 }),
      plainText
    )
    .map(([a, controls, b]) => `${a}${controls.join("")}${b}`)

/** A value nested `depth` deep: arrays or objects, with a leaf. */
export const deepJsonText = (depth: number, objects: boolean): string =>
  objects ? `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}` : `${"[".repeat(depth)}1${"]".repeat(depth)}`

const smallJson = fc.oneof(
  fc.record({ k: letters, n: fc.integer({ min: -1000, max: 1000 }) }).map((value) => JSON.stringify(value)),
  fc
    .array(
      fc.oneof(
        fc.integer({ min: 0, max: 99 }),
        letters.map((s) => `t_${s}`)
      ),
      { maxLength: 4 }
    )
    .map((value) => JSON.stringify(value)),
  fc.integer({ min: 2, max: 20 }).map((depth) => deepJsonText(depth, depth % 2 === 0))
)

const decimal = fc
  .tuple(fc.integer({ min: 0, max: 99_999 }), fc.integer({ min: 1, max: 99 }))
  .map(([whole, cents]) => `${whole}.${cents % 10 === 0 ? `${cents / 10}` : cents}`)
const trailingZeros = fc
  .tuple(fc.integer({ min: 0, max: 99_999 }), fc.constantFrom("0", "00", "50", "10", "000"))
  .map(([whole, fraction]) => `${whole}.${fraction}`)
const hugeInt = fc.bigInt({ min: 10n ** 17n, max: 10n ** 30n }).map((n) => n.toString())
const word = fc.constantFrom("n/a", "unknown", "t_high", "-", "none")

/** What a case's generator draws, before it is turned into rows. */
interface Draw {
  readonly columns: ReadonlyArray<{ kind: ColumnKind; header: string }>
  readonly distinctRows: number
  readonly repeats: ReadonlyArray<{ of: number; times: number }>
  readonly batchCount: number
}

/** Probability of each optional hazard in a case; the case's focus hazard is always on. */
const Odds: Record<Exclude<Hazard, "big-field">, number> = {
  "deep-json": 0.12,
  "identical-rows": 0.3,
  "mixed-types": 0.2,
  "trailing-zeros": 0.25,
  "huge-integers": 0.15,
  "invalid-utf8": 0.12,
  nul: 0.15,
  "control-values": 0.2,
  "control-headers": 0.15,
  "refused-batches": 0.15,
  "server-errors": 0.12,
  resets: 0.1,
  "lost-answers": 0.05
}

/**
 * One case, with `focus` on for sure (so every hazard is met ⌊n/H⌋ times at least whatever the
 * seed) and the others drawn at their odds. 10 MB fields only when they are the focus: they cost
 * seconds each.
 */
/** A uniform draw in [0, 1): fast-check's own numbers lean to the edges (0, min, max) on purpose. */
const chance = fc.noBias(fc.integer({ min: 0, max: 999_999 })).map((n) => n / 1_000_000)

export const caseArbitrary = (id: number, focus: Hazard, options: { readonly maxRows: number }): fc.Arbitrary<HostileCase> => {
  const on = (hazard: Exclude<Hazard, "big-field">) => (hazard === focus ? fc.constant(true) : chance.map((x) => x < Odds[hazard]))
  const flags = fc.record({
    deep: on("deep-json"),
    identical: on("identical-rows"),
    mixed: on("mixed-types"),
    trailing: on("trailing-zeros"),
    huge: on("huge-integers"),
    invalid: on("invalid-utf8"),
    nul: on("nul"),
    controlValues: on("control-values"),
    controlHeaders: on("control-headers"),
    refused: on("refused-batches"),
    serverErrors: on("server-errors"),
    resets: on("resets"),
    lost: on("lost-answers")
  })
  return flags.chain((f) => {
    // Only text columns get hostile names: a json column is named in `--column name=json`, and an
    // argv cannot carry a NUL.
    const headerOf = (index: number, kind: ColumnKind) =>
      (f.controlHeaders && kind === "text" ? fc.tuple(fc.boolean(), controlText(f.nul)) : fc.constant([false, ""] as const)).map(
        ([hostile, text]) => (hostile || (f.controlHeaders && index === 0) ? `col${index}_${text}` : `col${index}`)
      )
    const columnKinds = fc
      .tuple(
        fc.integer({ min: 1, max: 2 }).map((n) => Array.from({ length: n }, () => "text" as ColumnKind)),
        fc.constant(f.mixed || f.trailing || f.huge ? ["mixed" as ColumnKind] : []),
        fc.constant(f.deep ? ["json" as ColumnKind] : []),
        fc.boolean()
      )
      .map(([text, mixed, json, extraJson]) => [...text, ...mixed, ...json, ...(extraJson && !f.deep ? ["json" as ColumnKind] : [])])
    const draw: fc.Arbitrary<Draw> = columnKinds.chain((kinds) =>
      fc.record({
        columns: fc.tuple(...kinds.map((kind, index) => headerOf(index, kind).map((header) => ({ kind, header })))),
        distinctRows: fc.integer({ min: 3, max: options.maxRows }),
        repeats: f.identical
          ? fc.array(fc.record({ of: fc.nat(), times: fc.integer({ min: 1, max: 4 }) }), { minLength: 1, maxLength: 4 })
          : fc.constant([]),
        batchCount: fc.integer({ min: 1, max: 8 })
      })
    )
    const faults: fc.Arbitrary<Faults> = fc.record({
      refuseRequests: f.refused ? fc.uniqueArray(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 2 }) : fc.constant([]),
      serverErrorShare: f.serverErrors ? fc.constantFrom(0.2, 0.35) : fc.constant(0),
      dropShare: f.resets ? fc.constantFrom(0.15, 0.25) : fc.constant(0),
      lostAnswers: fc.constant(f.lost),
      maxAttempts: f.serverErrors || f.resets || f.lost ? fc.integer({ min: 2, max: 3 }) : fc.constant(10),
      seed: fc.integer({ min: 1, max: 1_000_000 })
    })
    return fc.tuple(draw, faults, fc.infiniteStream(chance), fc.infiniteStream(fc.noBias(fc.nat()))).chain(([d, faultsDrawn, randoms, nats]) => {
      // The cells: drawn per row from the streams (deterministic in the seed), hazards where asked.
      const random = () => randoms.next().value as number
      const pick = <T>(items: ReadonlyArray<T>): T => items[(nats.next().value as number) % items.length]!
      return fc
        .tuple(
          fc.array(controlText(f.nul), { minLength: 40, maxLength: 40 }),
          fc.array(plainText, { minLength: 40, maxLength: 40 }),
          fc.array(letters, { minLength: 40, maxLength: 40 }),
          fc.array(decimal, { minLength: 20, maxLength: 20 }),
          fc.array(trailingZeros, { minLength: 20, maxLength: 20 }),
          fc.array(hugeInt, { minLength: 10, maxLength: 10 }),
          fc.array(word, { minLength: 10, maxLength: 10 }),
          fc.array(smallJson, { minLength: 20, maxLength: 20 }),
          fc.array(fc.integer({ min: 1_100, max: 7_000 }), { minLength: 6, maxLength: 6 })
        )
        .map(([controls, plains, words, decimals, zeros, huges, mixedWords, jsons, depths]) => {
          const columns: Array<Column> = d.columns.map((column) => ({ name: column.header, kind: column.kind }))
          let deepPlaced = 0
          const textCell = (): Cell => {
            const hostile = (f.controlValues || f.nul) && random() < 0.35
            return { kind: "text", text: `t_${hostile ? pick(controls) : pick(plains)}${pick(words)}` }
          }
          const mixedCell = (): Cell => {
            const options: Array<() => Cell> = [() => ({ kind: "number", text: pick(decimals) })]
            if (f.trailing) options.push(() => ({ kind: "trailing-zeros", text: pick(zeros) }))
            if (f.huge) options.push(() => ({ kind: "huge-int", text: pick(huges) }))
            if (f.mixed) options.push(() => ({ kind: "word", text: pick(mixedWords) }))
            return pick(options)()
          }
          const jsonCell = (): Cell => {
            if (f.deep && (deepPlaced === 0 || random() < 0.15)) {
              deepPlaced++
              const depth = pick(depths)
              return { kind: "deep-json", text: deepJsonText(depth, random() < 0.5), depth }
            }
            return { kind: "json", text: pick(jsons) }
          }
          const distinct: Array<Array<Cell>> = []
          for (let row = 0; row < d.distinctRows; row++) {
            const cells = columns.map((column) => (column.kind === "text" ? textCell() : column.kind === "mixed" ? mixedCell() : jsonCell()))
            distinct.push(cells)
          }
          // Hazards drawn on must show: a NUL, a control character, a mixed column's second kind.
          const textColumn = columns.findIndex((column) => column.kind === "text")
          if (f.nul) distinct[0]![textColumn] = { kind: "text", text: `t_a\u0000b${pick(words)}` }
          if (f.controlValues) distinct[1 % distinct.length]![textColumn] = { kind: "text", text: `t_\u001b[31mred\u001b[0m\u0007${pick(words)}` }
          const mixedColumn = columns.findIndex((column) => column.kind === "mixed")
          if (mixedColumn >= 0) {
            const forced: Array<Cell> = [
              ...(f.trailing ? [{ kind: "trailing-zeros", text: pick(zeros) } as Cell] : []),
              ...(f.huge ? [{ kind: "huge-int", text: pick(huges) } as Cell] : []),
              ...(f.mixed ? [{ kind: "word", text: pick(mixedWords) } as Cell, { kind: "number", text: pick(decimals) } as Cell] : [])
            ]
            forced.forEach((cell, index) => {
              distinct[(index + 1) % distinct.length]![mixedColumn] = cell
            })
          }
          if (f.invalid) {
            const count = 1 + ((nats.next().value as number) % 2)
            for (let i = 0; i < count; i++) {
              const row = (nats.next().value as number) % distinct.length
              const cell = distinct[row]![textColumn]!
              distinct[row]![textColumn] = { ...cell, invalidBytes: pick(InvalidSequences) }
            }
          }
          if (focus === "big-field") {
            const row = (nats.next().value as number) % distinct.length
            distinct[row]![textColumn] = { kind: "big", text: `t_${"x".repeat(10 * 1024 * 1024)}` }
          }
          // Rows in order, with the repeats of some rows (exact duplicates) scattered after them.
          const order: Array<number> = distinct.map((_, index) => index)
          for (const repeat of d.repeats) {
            const of = repeat.of % distinct.length
            for (let i = 0; i < repeat.times; i++) {
              const at = of + 1 + ((nats.next().value as number) % (order.length - of))
              order.splice(Math.min(at, order.length), 0, of)
            }
          }
          const rows: Array<Row> = order.map((group) => ({ group: group + 1, cells: distinct[group]! }))
          const hazards = new Set<Hazard>()
          const has = (predicate: (cell: Cell) => boolean) => rows.some((row) => row.cells.some(predicate))
          if (has((cell) => cell.kind === "deep-json")) hazards.add("deep-json")
          if (rows.length > distinct.length) hazards.add("identical-rows")
          if (mixedColumn >= 0 && new Set(rows.map((row) => (row.cells[mixedColumn]!.kind === "word" ? "text" : "number"))).size > 1)
            hazards.add("mixed-types")
          if (has((cell) => cell.kind === "trailing-zeros")) hazards.add("trailing-zeros")
          if (has((cell) => cell.kind === "huge-int")) hazards.add("huge-integers")
          if (has((cell) => cell.invalidBytes !== undefined)) hazards.add("invalid-utf8")
          if (has((cell) => cell.kind === "big")) hazards.add("big-field")
          if (has((cell) => cell.text.includes("\u0000")) || columns.some((column) => column.name.includes("\u0000"))) hazards.add("nul")
          if (has((cell) => /[\u0001-\u0008\u000b-\u001f\u007f-\u009f]/.test(cell.text))) hazards.add("control-values")
          if (columns.some((column) => /[\u0000-\u001f\u007f-\u009f]/.test(column.name))) hazards.add("control-headers")
          if (faultsDrawn.refuseRequests.length > 0) hazards.add("refused-batches")
          if (faultsDrawn.serverErrorShare > 0) hazards.add("server-errors")
          if (faultsDrawn.dropShare > 0) hazards.add("resets")
          if (faultsDrawn.lostAnswers) hazards.add("lost-answers")
          return { id, columns, rows, batchCount: d.batchCount, faults: faultsDrawn, hazards } satisfies HostileCase
        })
    })
  })
}

/**
 * `count` cases from `seed`: case i focuses on hazard i mod H (the 10 MB field at most `bigFields`
 * times; its turns go to the other hazards), so every hazard is generated whatever the seed.
 */
export const generateCases = (
  seed: number,
  count: number,
  options: { readonly maxRows: number; readonly bigFields: number; readonly focuses?: ReadonlyArray<Hazard> }
): Array<HostileCase> => {
  const turns = options.focuses ?? Hazards
  const focuses: Array<Hazard> = []
  let big = 0
  for (let i = 0; focuses.length < count; i++) {
    const hazard = turns[i % turns.length]!
    if (hazard === "big-field" && big++ >= options.bigFields) continue
    focuses.push(hazard)
  }
  return focuses.map((focus, index) => fc.sample(caseArbitrary(index + 1, focus, options), { seed: seed + index, numRuns: 1 })[0]!)
}

/** The seed of this run: HOSTILE_SEED, or the suite's fixed one (CI runs the same cases every time). */
export const hostileSeed = (): number => {
  const given = process.env.HOSTILE_SEED
  return given !== undefined && given !== "" ? Number(given) : 14_2026
}

/** How many times the default case counts are run (`hostile:long` sets HOSTILE_RUNS). */
export const hostileRuns = (): number => {
  const given = Number(process.env.HOSTILE_RUNS ?? "1")
  return Number.isFinite(given) && given >= 1 ? Math.floor(given) : 1
}
