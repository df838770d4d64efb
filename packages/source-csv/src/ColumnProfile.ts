import { type DecidedColumn, numberFromText, TextTypeSample, toIsoTimestamp, TYPE_SAMPLE_ROWS } from "@tablecast/core"

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/
const BOOLEAN = /^(?:true|false)$/i
// Only shapes that are plainly dates: a bare number is a number, not an epoch.
const DATE_LIKE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[zZ]|[+-]\d{2}:?\d{2})?)?$/

/** What a column's values could be declared as: the narrowest kind every non-empty value fits. */
export type TextKind = "string" | "number" | "boolean" | "timestamp" | "json"
type Kind = TextKind

/** A column of a file as `tablecast inspect` shows it (the shape of core's `ColumnSummary`). */
export interface TextColumnSummary {
  readonly name: string
  readonly sourceType: "text"
  readonly kind: TextKind
  /** What `auto` sends the column as, decided from the first rows, as a sync decides it. */
  readonly sentAs: DecidedColumn
  /** The first value after those rows that does not fit the decided type: a sync would reject its row. */
  readonly misfit?: { readonly row: number; readonly value: string }
  readonly nullable: boolean
  readonly unique: boolean
  readonly samples: ReadonlyArray<string>
}

const kindOf = (text: string): Kind => {
  if (NUMBER.test(text)) return "number"
  if (BOOLEAN.test(text)) return "boolean"
  if (DATE_LIKE.test(text) && toIsoTimestamp(text) !== undefined) return "timestamp"
  const first = text[0]
  if (first === "{" || first === "[") {
    try {
      JSON.parse(text)
      return "json"
    } catch {
      return "string"
    }
  }
  return "string"
}

/**
 * What a text column holds, judged from the values seen: the narrowest kind every non-empty value
 * fits (what it could be declared as), whether any was empty, whether all were distinct, the first
 * few values — and what `auto` sends it as: the type its first `TYPE_SAMPLE_ROWS` rows decide, as
 * a sync decides it (`TextTypeSample`), with the first later value that would not fit. For files,
 * where no schema says it.
 */
export class ColumnProfile {
  private kind: Kind | undefined
  private empty = 0
  private readonly seen = new Set<string>()
  private duplicated = false
  private rows = 0
  private readonly typeSample = new TextTypeSample()
  private decided: DecidedColumn | undefined
  private misfit: { readonly row: number; readonly value: string } | undefined
  readonly samples: Array<string> = []

  constructor(
    readonly name: string,
    private readonly sampleCount: number,
    private readonly typeSampleRows = TYPE_SAMPLE_ROWS
  ) {}

  /** The column's value in the next row (rows counted as they come, from 1). */
  add(value: unknown, row = this.rows + 1): void {
    this.rows++
    const text = value === null || value === undefined ? "" : String(value)
    if (this.rows <= this.typeSampleRows) this.typeSample.add(text, row)
    else {
      this.decided ??= this.typeSample.decide(this.typeSampleRows)
      if (this.misfit === undefined && text !== "" && this.decided.type === "number" && typeof numberFromText(text) !== "number")
        this.misfit = { row, value: text }
    }
    if (text === "") {
      this.empty++
      return
    }
    if (this.samples.length < this.sampleCount) this.samples.push(text)
    if (!this.duplicated) {
      if (this.seen.has(text)) {
        this.duplicated = true
        this.seen.clear()
      } else this.seen.add(text)
    }
    const kind = kindOf(text)
    if (this.kind === undefined) this.kind = kind
    else if (this.kind !== kind) this.kind = "string"
  }

  summary(): TextColumnSummary {
    return {
      name: this.name,
      sourceType: "text",
      kind: this.kind ?? "string",
      sentAs: this.decided ?? this.typeSample.decide(Math.min(this.rows, this.typeSampleRows)),
      ...(this.misfit === undefined ? {} : { misfit: this.misfit }),
      nullable: this.empty > 0,
      unique: !this.duplicated,
      samples: this.samples
    }
  }
}
