import { type ColumnTypes, type DecidedColumn, isMalformed, TextTypeSample, TYPE_SAMPLE_ROWS } from "@tablecast/core"
import { CsvReader } from "./CsvReader.ts"
import type { CsvSourceOptions } from "./CsvSourceOptions.ts"

/**
 * What `auto` sends each column of the file as, decided from its first `sampleRows` rows (the
 * whole file when it is shorter; malformed rows do not count): `number` for a column whose every
 * value there is a JSON number literal that a JSON number carries exactly, `string` otherwise (see
 * `TextTypeSample`). Reads those rows on this thread and closes the file: memory holds a few
 * counters per column, not the rows. The same file always decides the same types, so a resumed run
 * maps as the first one did.
 */
export const decideColumnTypes = async (options: CsvSourceOptions, sampleRows = TYPE_SAMPLE_ROWS): Promise<ColumnTypes> => {
  const reader = await CsvReader.open(options)
  try {
    const names = await reader.columnNames()
    const samples = names.map(() => new TextTypeSample())
    let rows = 0
    reading: for (;;) {
      const items = await reader.next()
      if (items === undefined) break
      for (const item of items) {
        if (isMalformed(item)) continue
        if (rows >= sampleRows) break reading
        rows++
        for (let column = 0; column < names.length; column++) samples[column]!.add(item.values[names[column]!], item.rowNumber)
      }
    }
    const types: Record<string, DecidedColumn> = {}
    names.forEach((name, column) => {
      Object.defineProperty(types, name, { value: samples[column]!.decide(rows), enumerable: true, writable: true, configurable: true })
    })
    return types
  } finally {
    await reader.close()
  }
}
