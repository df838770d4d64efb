import * as Schema from "effect/Schema"
import type { BodyLimits } from "../body/BodyLimits.ts"
import { readCsvBody } from "../body/CsvBody.ts"
import { readJsonBody } from "../body/JsonBody.ts"
import { RequestError } from "../RequestError.ts"
import type { RequestRows } from "../RequestRows.ts"

/** The rows of a scheduled run could not be had: the URL failed, or its document does not check. */
export class UrlRowsError extends Schema.TaggedError<UrlRowsError>()("UrlRowsError", {
  message: Schema.String,
  /** The HTTP status the URL answered, when it answered. */
  status: Schema.optional(Schema.Number)
}) {}

/** Where the rows come from, as logs and run records may tell it: no query (it may hold a signature), no credentials. */
export const describeUrl = (url: string): string => {
  const parsed = new URL(url)
  return `${parsed.origin}${parsed.pathname}`
}

const formatOf = (contentType: string | null): "csv" | "json" | undefined => {
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase()
  if (type === "text/csv") return "csv"
  if (type === "application/json" || type.endsWith("+json")) return "json"
  return undefined
}

const encoder = new TextEncoder()

/**
 * A JSON array of rows, read as the `rows` of a run body: the body reader's streaming checks
 * (nesting, rows, cells, UTF-8) then hold for a fetched document too.
 */
const asRunBody = (array: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> => {
  const reader = array.getReader()
  let started = false
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true
        controller.enqueue(encoder.encode('{"rows":'))
        return
      }
      const { done, value } = await reader.read()
      if (done) {
        controller.enqueue(encoder.encode("}"))
        controller.close()
        return
      }
      controller.enqueue(value)
    },
    cancel: (reason) => reader.cancel(reason)
  })
}

/** How long the URL may take to answer and send its rows. */
const FetchTimeoutMillis = 120_000

/**
 * Fetches a scheduled run's rows: CSV (a header line, then rows) or JSON (an array of row
 * objects), read as a stream under the deployment's body limits, as a request's body is.
 */
export const fetchUrlRows = async (input: {
  readonly url: string
  readonly authorization: string | undefined
  readonly format: "csv" | "json" | undefined
  readonly limits: BodyLimits
  /** How the URL is named in errors (never its query or a secret URL). */
  readonly described: string
}): Promise<{ readonly rows: RequestRows; readonly format: "csv" | "json" }> => {
  let response: Response
  try {
    response = await fetch(input.url, {
      headers: {
        accept: "text/csv, application/json",
        ...(input.authorization === undefined ? {} : { authorization: input.authorization })
      },
      signal: AbortSignal.timeout(FetchTimeoutMillis)
    })
  } catch (error) {
    throw new UrlRowsError({ message: `${input.described} could not be fetched (${error instanceof Error ? error.name : "network error"})` })
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined)
    throw new UrlRowsError({ message: `${input.described} answered ${response.status}`, status: response.status })
  }
  const format = input.format ?? formatOf(response.headers.get("content-type"))
  if (format === undefined) {
    await response.body?.cancel().catch(() => undefined)
    throw new UrlRowsError({ message: `${input.described} answered neither text/csv nor application/json; set "format" on the scheduled run` })
  }
  const contentLength = response.headers.get("content-length") ?? undefined
  try {
    if (format === "csv") return { rows: await readCsvBody(response.body, { contentLength, limits: input.limits }), format }
    const body = response.body === null ? null : asRunBody(response.body)
    // The length grows by the 9 bytes of the wrapping.
    const wrappedLength = contentLength === undefined ? undefined : String(Number(contentLength) + 9)
    const read = await readJsonBody(body, { contentLength: wrappedLength, limits: input.limits })
    return { rows: read.rows ?? { items: [], columns: 0 }, format }
  } catch (error) {
    if (error instanceof RequestError) throw new UrlRowsError({ message: `${input.described}: ${error.message}`, status: response.status })
    throw error
  }
}
