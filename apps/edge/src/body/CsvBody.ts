import type { SourceItem } from "@tablecast/core"
import { CsvTextError, CsvTextParser } from "@tablecast/source-csv/portable"
import { RequestError } from "../RequestError.ts"
import type { RequestRows } from "../RequestRows.ts"
import { readBodyStream } from "./BodyStream.ts"
import { type BodyLimits, tooManyCells, tooManyRows } from "./BodyLimits.ts"

/**
 * Reads a CSV request body as a stream with source-csv's portable `CsvTextParser` (the CLI's
 * parser options and header checks): the first record names the columns, each later record is a
 * row numbered from 1, fed to the parser a piece at a time.
 *
 * Limits hold while reading: past `MAX_ROWS` rows or `MAX_CELLS` fields (counting the record being
 * read) the read stops with 413, without reading the rest. A row with the wrong number of fields,
 * or with a field that is not UTF-8, is a malformed row (rejected with its reason naming the
 * column; reading goes on). A header it cannot use, or a broken quote, is a 400 naming the line.
 */
export const readCsvBody = async (
  body: ReadableStream<Uint8Array> | null,
  input: { readonly contentLength: string | undefined; readonly limits: BodyLimits }
): Promise<RequestRows> => {
  const { limits } = input
  const items: Array<SourceItem> = []
  let cells = 0
  const parser = new CsvTextParser((item, fields) => {
    tooManyRows(items.length + 1, limits)
    cells += fields
    tooManyCells(cells, limits.MAX_CELLS)
    items.push(item)
  })
  try {
    await readBodyStream(body, {
      contentLength: input.contentLength,
      maxBytes: limits.MAX_BODY_BYTES,
      write: (piece) => {
        parser.write(piece)
        // The record being read counts too: one record of a million empty fields stops here.
        tooManyCells(cells + parser.fieldsInProgress, limits.MAX_CELLS)
      }
    })
    const names = parser.end()
    return { items, columns: names.length, names }
  } catch (error) {
    if (error instanceof CsvTextError) throw new RequestError({ status: 400, field: "body", message: error.message })
    throw error
  }
}
