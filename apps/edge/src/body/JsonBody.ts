import { Tokenizer, TokenParser, TokenType, type ParsedElementInfo, type ParsedTokenInfo } from "@streamparser/json"
import type { SourceItem } from "@tablecast/core"
import { RequestError } from "../RequestError.ts"
import type { RequestRows } from "../RequestRows.ts"
import { type BodyLimits, MaxJsonDepth, tooManyCells, tooManyRows } from "./BodyLimits.ts"
import { readBodyStream } from "./BodyStream.ts"
import { Utf8Check } from "./Utf8.ts"

/** What a JSON run body holds: `{ "spec": {...}, "options"?: {...}, "rows": [{...}, ...] }`. */
export interface JsonRunBody {
  readonly spec: unknown
  readonly options: unknown
  /** Absent when the body has no `rows`. */
  readonly rows: RequestRows | undefined
}

const BodyFields = new Set(["spec", "options", "rows"])

/** Values a spec or options may hold (column lists, types, context): far more than any needs. */
export const MaxSpecValues = 10_000

/**
 * Values a spec's tracking plan may hold, counted apart from the spec's own: a workspace's whole plan
 * (hundreds of events, their properties' schemas) is larger than any spec.
 */
export const MaxPlanValues = 200_000

/**
 * The check each token passes before the token parser sees it: the body's shape (an object of
 * spec, options and rows; rows an array of objects), its nesting, and the row, cell and spec limits.
 */
class JsonBodyGuard {
  /** Per open container: whether it is an object. */
  private readonly containers: Array<boolean> = []
  previous: TokenType | undefined
  lastTokenOffset = 0
  sawRows = false
  private topField: string | undefined
  /** The spec's field being read (`trackingPlan` has its own budget). */
  private specField: string | undefined
  private rowCount = 0
  private cells = 0
  private specValues = 0
  private planValues = 0

  constructor(private readonly limits: BodyLimits) {}

  check(token: ParsedTokenInfo): void {
    const depth = this.containers.length
    const inObject = depth > 0 && this.containers[depth - 1] === true
    const isKey = token.token === TokenType.STRING && inObject && (this.previous === TokenType.LEFT_BRACE || this.previous === TokenType.COMMA)
    const opens = token.token === TokenType.LEFT_BRACE || token.token === TokenType.LEFT_BRACKET
    const isValue =
      opens ||
      (token.token === TokenType.STRING && !isKey) ||
      token.token === TokenType.NUMBER ||
      token.token === TokenType.TRUE ||
      token.token === TokenType.FALSE ||
      token.token === TokenType.NULL

    if (depth === 0 && token.token !== TokenType.LEFT_BRACE) {
      throw new RequestError({ status: 400, field: "body", message: "body: must be a JSON object { spec, options, rows }" })
    }
    if (depth === 1 && isKey) {
      this.topField = String(token.value)
      if (!BodyFields.has(this.topField)) {
        throw new RequestError({
          status: 400,
          field: "body",
          message: `body: unknown field ${JSON.stringify(this.topField.slice(0, 64))}; a body holds spec, options and rows`
        })
      }
      if (this.topField === "rows") this.sawRows = true
    }
    if (this.topField === "rows" && isValue) {
      if (depth === 1 && token.token !== TokenType.LEFT_BRACKET) {
        throw new RequestError({ status: 400, field: "rows", message: "rows: must be an array of row objects" })
      }
      if (depth === 2) {
        if (token.token !== TokenType.LEFT_BRACE) {
          throw new RequestError({
            status: 400,
            field: `rows.${this.rowCount}`,
            message: `rows.${this.rowCount}: a row must be a JSON object of column → value`
          })
        }
        this.rowCount++
        tooManyRows(this.rowCount, this.limits)
      }
      if (depth >= 3) {
        this.cells++
        tooManyCells(this.cells, this.limits.MAX_CELLS)
      }
    }
    if (depth === 2 && isKey && this.topField === "spec") this.specField = String(token.value)
    const inPlan = this.topField === "spec" && this.specField === "trackingPlan" && depth >= 2
    if (inPlan && isValue && ++this.planValues > MaxPlanValues) {
      throw new RequestError({
        status: 400,
        field: "spec.trackingPlan",
        message: `spec.trackingPlan: more than ${MaxPlanValues} values; give the worker the rules its syncs need`
      })
    }
    if (!inPlan && (this.topField === "spec" || this.topField === "options") && isValue && ++this.specValues > MaxSpecValues) {
      throw new RequestError({
        status: 400,
        field: this.topField,
        message: `${this.topField}: more than ${MaxSpecValues} values; a spec and its options are far smaller`
      })
    }
    if (opens) {
      if (depth + 1 > MaxJsonDepth) {
        throw new RequestError({
          status: 400,
          field: this.topField ?? "body",
          message: `${this.topField ?? "body"}: nested deeper than ${MaxJsonDepth} levels (at byte ${token.offset})`
        })
      }
      this.containers.push(token.token === TokenType.LEFT_BRACE)
    } else if (token.token === TokenType.RIGHT_BRACE || token.token === TokenType.RIGHT_BRACKET) {
      this.containers.pop()
      if (this.containers.length === 1) this.topField = undefined
      if (this.containers.length <= 2) this.specField = undefined
    }
    this.previous = token.token
    this.lastTokenOffset = token.offset
  }
}

/**
 * Reads a JSON run body as a stream with @streamparser/json: its tokenizer turns the bytes into
 * tokens, which pass a check here before its token parser builds values from them. Each row is
 * handed out as soon as it is complete and dropped from the parser (`keepStack: false`), so only
 * the rows themselves are held, never the body text or a second copy.
 *
 * Checked on each token, so a read stops at the first fault, without reading the rest: nesting
 * deeper than `MaxJsonDepth` (400 naming the byte offset), a field other than spec/options/rows,
 * a spec and options of more than `MaxSpecValues` values together,
 * `rows` not an array of objects (400), more than `MAX_ROWS` rows or `MAX_CELLS` values (413),
 * bytes that are not UTF-8 (400 naming the byte offset; never replaced).
 */
export const readJsonBody = async (
  body: ReadableStream<Uint8Array> | null,
  input: { readonly contentLength: string | undefined; readonly limits: BodyLimits }
): Promise<JsonRunBody> => {
  const { limits } = input
  const utf8 = new Utf8Check()
  const tokenizer = new Tokenizer()
  const parser = new TokenParser({ paths: ["$.spec", "$.options", "$.rows.*"], keepStack: false })

  let spec: unknown
  let options: unknown
  const items: Array<SourceItem> = []
  let columns = 0

  const guard = new JsonBodyGuard(limits)

  parser.onValue = (element: ParsedElementInfo) => {
    if (element.stack.length === 1) {
      if (element.key === "spec") spec = element.value
      else if (element.key === "options") options = element.value
      return
    }
    const values = element.value as Record<string, unknown>
    items.push({ rowNumber: items.length + 1, values })
    const width = Object.keys(values).length
    if (width > columns) columns = width
  }

  tokenizer.onToken = (token: ParsedTokenInfo) => {
    guard.check(token)
    parser.write(token)
  }

  const notJson = (error: unknown, atEnd: boolean): RequestError => {
    if (error instanceof RequestError) return error
    // The tokenizer names the absolute byte offset; the token parser's faults are at the last token.
    const position = /absolute position "(\d+)"/.exec(error instanceof Error ? error.message : "")
    const at = position === null ? guard.lastTokenOffset : Number(position[1])
    const where = atEnd ? " (it ends too early)" : ` (at byte ${at})`
    return new RequestError({ status: 400, field: "body", message: `body: not valid JSON${where}` })
  }

  await readBodyStream(body, {
    contentLength: input.contentLength,
    maxBytes: limits.MAX_BODY_BYTES,
    write: (piece, offset) => {
      const invalid = utf8.write(piece, offset)
      if (invalid !== -1) throw new RequestError({ status: 400, field: "body", message: `body: invalid UTF-8 at byte ${invalid}` })
      try {
        tokenizer.write(piece)
      } catch (error) {
        throw notJson(error, false)
      }
    }
  })
  const invalid = utf8.end()
  if (invalid !== -1) throw new RequestError({ status: 400, field: "body", message: `body: invalid UTF-8 at byte ${invalid}` })
  if (guard.previous === undefined) throw new RequestError({ status: 400, field: "body", message: "body: empty; send { spec, options, rows }" })
  try {
    tokenizer.end()
    if (!parser.isEnded) parser.end()
  } catch (error) {
    throw notJson(error, true)
  }
  return { spec, options, rows: guard.sawRows ? { items, columns } : undefined }
}
