import { PipelineOptions, SyncSpec } from "@tablecast/core"
import * as Redacted from "effect/Redacted"
import * as z from "zod"
import { parseCsvRows } from "./CsvRows.ts"
import type { EdgeLimits } from "./EdgeConfig.ts"
import { RequestError } from "./RequestError.ts"
import { numberRows, type RequestRows } from "./RequestRows.ts"

/**
 * How a run is carried out: `sync` answers with the delivery report, `queue` answers 202 and
 * delivers through Cloudflare Queues, `auto` (the default) picks `sync` when the run fits the
 * synchronous budget.
 */
export const RunMode = z.enum(["auto", "sync", "queue"])
export type RunMode = z.infer<typeof RunMode>

/** A checked run request. */
export interface RunRequest {
  readonly spec: SyncSpec
  readonly options: PipelineOptions
  readonly rows: RequestRows
  readonly format: "json" | "csv"
  readonly mode: RunMode
  /** From `X-Segment-Write-Key`, when the request brought one. */
  readonly writeKey: Redacted.Redacted<string> | undefined
}

/** Header carrying a per-request Segment write key. */
export const WriteKeyHeader = "x-segment-write-key"
/** Headers carrying the spec and options of a CSV request, as JSON. */
export const SpecHeader = "x-tablecast-spec"
export const OptionsHeader = "x-tablecast-options"

/** A row of a JSON request: an object of column → value. Checked without copying it. */
const JsonRow = z.custom<Record<string, unknown>>(
  (value) => typeof value === "object" && value !== null && !Array.isArray(value),
  "a row must be a JSON object of column → value"
)

const JsonRunBody = z
  .object({
    spec: z.unknown(),
    options: z.unknown().optional(),
    rows: z.array(JsonRow)
  })
  .strict()

/** The parts of an incoming request that the parser reads; a Hono request or a plain Request fits. */
export interface IncomingRun {
  readonly contentType: string | undefined
  readonly query: (name: string) => string | undefined
  readonly header: (name: string) => string | undefined
  readonly text: () => Promise<string>
}

interface Issue {
  readonly field: string
  readonly message: string
}

const issuesOf = (error: z.ZodError, prefix: string): Array<Issue> =>
  error.issues.map((issue) => ({
    field: [prefix, ...issue.path.map(String)].filter((part) => part !== "").join(".") || prefix || "body",
    message: issue.message
  }))

/** One 400 naming every field at fault; `field` is the first. */
const badRequest = (issues: ReadonlyArray<Issue>): RequestError =>
  new RequestError(
    400,
    issues[0]?.field,
    issues
      .slice(0, 20)
      .map((issue) => (issue.field === "" ? issue.message : `${issue.field}: ${issue.message}`))
      .join("\n")
  )

/**
 * A request waits for its report, so the edge retries a batch for at most a minute unless the
 * request's options say otherwise (the CLI's ten minutes would hold a request that long); the queue
 * mode's consumer retries for two minutes, then the queue delivers the chunk again later.
 */
export const EdgeRetryMillis = 60_000

const withEdgeRetryBudget = (options: unknown): unknown =>
  typeof options === "object" && options !== null && !Array.isArray(options) && !("maxRetryMillis" in options)
    ? { ...options, maxRetryMillis: EdgeRetryMillis }
    : options

const checkSpecAndOptions = (
  spec: unknown,
  options: unknown,
  names: { readonly spec: string; readonly options: string }
): { spec: SyncSpec; options: PipelineOptions } => {
  const specResult = SyncSpec.safeParse(spec)
  const optionsResult = PipelineOptions.safeParse(withEdgeRetryBudget(options ?? {}))
  const issues = [
    ...(specResult.success ? [] : issuesOf(specResult.error, names.spec)),
    ...(optionsResult.success ? [] : issuesOf(optionsResult.error, names.options))
  ]
  if (!specResult.success || !optionsResult.success) throw badRequest(issues)
  // The worker keeps no snapshot between requests: an incremental sync would silently send every row.
  if (specResult.data.incremental !== undefined && specResult.data.incremental !== false) {
    throw new RequestError(
      400,
      `${names.spec}.incremental`,
      `${names.spec}.incremental: incremental syncs need a state store, which the edge worker does not keep; run them with the tablecast CLI, or send the rows that changed`
    )
  }
  return { spec: specResult.data, options: optionsResult.data }
}

/** Reads JSON text given in a query parameter or a header (CSV requests carry spec and options so). */
const jsonParameter = (incoming: IncomingRun, query: string, header: string): { value: unknown; name: string } => {
  const fromQuery = incoming.query(query)
  const fromHeader = incoming.header(header)
  if (fromQuery !== undefined && fromHeader !== undefined) {
    throw new RequestError(400, query, `give ${query} in the query or in the ${header} header, not both`)
  }
  const text = fromQuery ?? fromHeader
  const name = fromQuery !== undefined ? query : `header ${header}`
  if (text === undefined) return { value: undefined, name }
  try {
    return { value: JSON.parse(text), name }
  } catch {
    throw new RequestError(400, name, `${name}: not valid JSON`)
  }
}

const mediaType = (contentType: string | undefined): string =>
  (contentType ?? "").split(";")[0]!.trim().toLowerCase()

/**
 * Parses and checks a run request:
 * - `application/json`: `{ "spec": {...}, "options"?: {...}, "rows": [{...}, ...] }`;
 * - `text/csv`: the CSV text, with the spec in `?spec=` or `X-Tablecast-Spec` (JSON), and the
 *   options in `?options=` or `X-Tablecast-Options`.
 * The body's size was bounded before this runs; the row count is checked before the rows are.
 */
export const parseRunRequest = async (
  incoming: IncomingRun,
  limits: Pick<EdgeLimits, "MAX_ROWS">,
  allowWriteKeyHeader: boolean
): Promise<RunRequest> => {
  const modeResult = RunMode.safeParse(incoming.query("mode") ?? "auto")
  if (!modeResult.success) throw badRequest(issuesOf(modeResult.error, "mode"))
  const mode = modeResult.data

  const headerKey = incoming.header(WriteKeyHeader)?.trim()
  if (headerKey !== undefined && headerKey !== "" && !allowWriteKeyHeader) {
    throw new RequestError(
      400,
      `header ${WriteKeyHeader}`,
      "this deployment takes the write key from its own secret, not from requests"
    )
  }
  const writeKey = headerKey === undefined || headerKey === "" ? undefined : Redacted.make(headerKey)

  const type = mediaType(incoming.contentType)
  if (type === "text/csv") {
    const spec = jsonParameter(incoming, "spec", SpecHeader)
    const options = jsonParameter(incoming, "options", OptionsHeader)
    if (spec.value === undefined) {
      throw new RequestError(400, "spec", `a CSV request needs its spec in ?spec= or in the ${SpecHeader} header`)
    }
    const checked = checkSpecAndOptions(spec.value, options.value, { spec: spec.name, options: options.name })
    const rows = parseCsvRows(await incoming.text())
    tooManyRows(rows.items.length, limits.MAX_ROWS)
    return { ...checked, rows, format: "csv", mode, writeKey }
  }
  if (type !== "application/json" && !type.endsWith("+json")) {
    throw new RequestError(415, "content-type", "send application/json ({ spec, options, rows }) or text/csv")
  }

  let body: unknown
  try {
    body = JSON.parse(await incoming.text())
  } catch {
    throw new RequestError(400, "body", "body: not valid JSON")
  }
  if (typeof body === "object" && body !== null && Array.isArray((body as { rows?: unknown }).rows)) {
    tooManyRows((body as { rows: Array<unknown> }).rows.length, limits.MAX_ROWS)
  }
  const envelope = JsonRunBody.safeParse(body)
  if (!envelope.success) {
    // Name the spec's and options' own faults too, so one answer lists everything to fix.
    const raw = (typeof body === "object" && body !== null ? body : {}) as { spec?: unknown; options?: unknown }
    const extra: Array<Issue> = []
    const specResult = SyncSpec.safeParse(raw.spec)
    if (raw.spec !== undefined && !specResult.success) extra.push(...issuesOf(specResult.error, "spec"))
    throw badRequest([...issuesOf(envelope.error, ""), ...extra])
  }
  const checked = checkSpecAndOptions(envelope.data.spec, envelope.data.options, { spec: "spec", options: "options" })
  return { ...checked, rows: numberRows(envelope.data.rows), format: "json", mode, writeKey }
}

const tooManyRows = (rows: number, max: number): void => {
  if (rows > max) {
    throw new RequestError(413, "rows", `${rows} rows is over this deployment's limit of ${max} rows per request; split the rows`)
  }
}
