import { type ColumnTypes, type DecidedColumn, isMalformed, type SourceItem, TextTypeSample, TYPE_SAMPLE_ROWS } from "@tablecast/core"

/**
 * What one column's sampled JSON values were: the strings go through the CLI's `TextTypeSample`,
 * the other JSON types are only counted.
 */
class JsonColumnSample {
  readonly text = new TextTypeSample()
  strings = 0
  numbers = 0
  booleans = 0
  objects = 0
  arrays = 0

  add(raw: unknown, row: number): void {
    if (raw === null || raw === undefined || raw === "") return
    switch (typeof raw) {
      case "string":
        this.strings++
        this.text.add(raw, row)
        return
      case "number":
      case "bigint":
        this.numbers++
        return
      case "boolean":
        this.booleans++
        return
      default:
        if (Array.isArray(raw)) this.arrays++
        else this.objects++
    }
  }

  /**
   * - strings only: judged as a CSV's text (`number` when every one is an exact number literal);
   * - numbers only: `number` (the values go out as they came);
   * - numbers and strings: `number` when every string is an exact number literal, else `string`;
   * - booleans only, objects only, arrays only: that type, the values sent as they came;
   * - any other mixture, or no value at all: `json`, every value sent as the body gives it (a
   *   string stays a string, `true` stays `true`): nothing to turn into one type without changing
   *   what the caller sent.
   */
  decide(rows: number): DecidedColumn {
    const basis = `decided from the first ${rows} row${rows === 1 ? "" : "s"}`
    const others = this.booleans + this.objects + this.arrays
    if (others === 0 && this.strings > 0) {
      const text = this.text.decide(rows)
      if (this.numbers === 0 || text.type === "number") return text
      return { type: "string", basis, note: `${text.note ?? "a string that is not a number"}, beside JSON numbers` }
    }
    if (others === 0 && this.numbers > 0) return { type: "number", basis }
    if (this.strings === 0 && this.numbers === 0) {
      if (this.booleans > 0 && this.objects === 0 && this.arrays === 0) return { type: "boolean", basis }
      if (this.objects > 0 && this.booleans === 0 && this.arrays === 0) return { type: "json", basis }
      if (this.arrays > 0 && this.booleans === 0 && this.objects === 0) return { type: "array", basis }
    }
    return {
      type: "json",
      basis,
      note: others === 0 ? "no value to judge by; values sent as the body gives them" : "mixed JSON types; values sent as the body gives them"
    }
  }
}

const setColumn = (types: Record<string, DecidedColumn>, name: string, decided: DecidedColumn): void => {
  // A column named "__proto__" must be an own property, not the object's prototype.
  Object.defineProperty(types, name, { value: decided, enumerable: true, writable: true, configurable: true })
}

/**
 * What `auto` sends each column of a request as, decided once from the request's first
 * `sampleRows` rows that are not malformed, with the CLI's judgement (`decideColumnTypes` of the
 * CSV source). A CSV body's values are all text: each column is judged by `TextTypeSample`, as the
 * CLI judges a file. A JSON body's values are JSON already: see `JsonColumnSample.decide`; a
 * column that first appears after the sample is converted value by value. A queued run decides
 * this at request time and carries it with every chunk, so all chunks type alike.
 */
export const decideRequestColumnTypes = (
  items: ReadonlyArray<SourceItem | undefined>,
  format: "csv" | "json",
  names?: ReadonlyArray<string>,
  sampleRows = TYPE_SAMPLE_ROWS
): ColumnTypes => {
  const samples = new Map<string, TextTypeSample | JsonColumnSample>()
  const sampleOf = (name: string): TextTypeSample | JsonColumnSample => {
    let sample = samples.get(name)
    if (sample === undefined) {
      sample = format === "csv" ? new TextTypeSample() : new JsonColumnSample()
      samples.set(name, sample)
    }
    return sample
  }
  for (const name of names ?? []) sampleOf(name)
  let rows = 0
  for (const item of items) {
    if (item === undefined || isMalformed(item)) continue
    if (rows >= sampleRows) break
    rows++
    if (names !== undefined && format === "csv") {
      for (const name of names) sampleOf(name).add(item.values[name], item.rowNumber)
    } else {
      for (const name of Object.keys(item.values)) sampleOf(name).add(item.values[name], item.rowNumber)
    }
  }
  const types: Record<string, DecidedColumn> = {}
  for (const [name, sample] of samples) setColumn(types, name, sample.decide(rows))
  return types
}
