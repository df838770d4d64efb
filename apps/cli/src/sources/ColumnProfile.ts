import { toIsoTimestamp } from "@tablecast/core"
import type { ColumnSummary } from "./SourceAdapter.ts"

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/
const BOOLEAN = /^(?:true|false)$/i
// Only shapes that are plainly dates: a bare number is a number, not an epoch.
const DATE_LIKE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[zZ]|[+-]\d{2}:?\d{2})?)?$/

type Kind = ColumnSummary["kind"]

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
 * fits, whether any was empty, whether all were distinct, and the first few values. For files,
 * where no schema says it.
 */
export class ColumnProfile {
  private kind: Kind | undefined
  private empty = 0
  private readonly seen = new Set<string>()
  private duplicated = false
  readonly samples: Array<string> = []

  constructor(
    readonly name: string,
    private readonly sampleCount: number
  ) {}

  add(value: unknown): void {
    const text = value === null || value === undefined ? "" : String(value)
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

  summary(): ColumnSummary {
    return {
      name: this.name,
      sourceType: "text",
      kind: this.kind ?? "string",
      nullable: this.empty > 0,
      unique: !this.duplicated,
      samples: this.samples
    }
  }
}
