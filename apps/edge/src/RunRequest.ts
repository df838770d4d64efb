import { parseSyncParts } from "@tablecast/config"
import type { PipelineOptions, SyncSpec } from "@tablecast/core"
import * as Redacted from "effect/Redacted"
import * as z from "zod"
import { type BodyLimits, MaxJsonDepth } from "./body/BodyLimits.ts"
import { readCsvBody } from "./body/CsvBody.ts"
import { nestsDeeperThan } from "./body/JsonDepth.ts"
import { readJsonBody } from "./body/JsonBody.ts"
import { type RequestPlanSettings, requestPlanSettings } from "./EdgeTrackingPlan.ts"
import { RequestError } from "./RequestError.ts"
import { decideRequestColumnTypes } from "./RequestColumnTypes.ts"
import type { RequestRows } from "./RequestRows.ts"

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
  /** The spec's `trackingPlan` and `trackingPlanMode`, checked; the deployment's plan applies when it brings none. */
  readonly trackingPlan?: RequestPlanSettings
}

/** Header carrying a per-request Segment write key. */
export const WriteKeyHeader = "x-segment-write-key"
/** Headers carrying the spec and options of a CSV request, as JSON. */
export const SpecHeader = "x-tablecast-spec"
export const OptionsHeader = "x-tablecast-options"

/** The parts of an incoming request that the parser reads; a Hono request or a plain Request fits. */
export interface IncomingRun {
  readonly contentType: string | undefined
  readonly contentLength: string | undefined
  readonly query: (name: string) => string | undefined
  readonly header: (name: string) => string | undefined
  /** The body, read as a stream (never as one string). */
  readonly body: () => ReadableStream<Uint8Array> | null
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
  new RequestError({
    status: 400,
    field: issues[0]?.field,
    message: issues
      .slice(0, 20)
      .map((issue) => (issue.field === "" ? issue.message : `${issue.field}: ${issue.message}`))
      .join("\n")
  })

/**
 * A request waits for its report, so the edge retries a batch for at most a minute unless the
 * request's options say otherwise (the CLI's ten minutes would hold a request that long); the queue
 * mode's consumer retries for two minutes, then the queue delivers the chunk again later.
 */
export const EdgeRetryMillis = 60_000

/** Checks a sync's spec and pipeline options as the CLI's parser does, under the edge's retry budget; 400 naming each field at fault. */
export const checkSpecAndOptions = (
  spec: unknown,
  options: unknown,
  names: { readonly spec: string; readonly options: string }
): { spec: SyncSpec; options: PipelineOptions; trackingPlan?: RequestPlanSettings } => {
  for (const [value, name] of [
    [spec, names.spec],
    [options, names.options]
  ] as const) {
    // A value nested past any use would make the checks and the mapper recurse too deep.
    if (nestsDeeperThan(value, MaxJsonDepth)) {
      throw new RequestError({ status: 400, field: name, message: `${name}: nested deeper than ${MaxJsonDepth} levels` })
    }
  }
  // `incremental` is the incremental package's field, which core's spec does not know: the edge
  // takes it out to refuse it below in its own words, rather than as an unknown field. The tracking
  // plan's fields are the config file's, beside the spec's: the edge checks them itself.
  const { incremental, trackingPlan, trackingPlanMode, ...specFields } =
    typeof spec === "object" && spec !== null && !Array.isArray(spec) ? (spec as Record<string, unknown>) : {}
  // The CLI's parser; the options are its pipeline, under the edge's retry budget.
  const parts = parseSyncParts(
    { spec: typeof spec === "object" && spec !== null && !Array.isArray(spec) ? specFields : spec, pipeline: options },
    { pipelineDefaults: { maxRetryMillis: EdgeRetryMillis } }
  )
  const specResult = parts.spec
  const optionsResult = parts.pipeline
  const issues = [
    ...(specResult.success ? [] : issuesOf(specResult.error, names.spec)),
    ...(optionsResult.success ? [] : issuesOf(optionsResult.error, names.options))
  ]
  if (!specResult.success || !optionsResult.success) throw badRequest(issues)
  // The worker keeps no snapshot between requests: an incremental sync would silently send every row.
  if (incremental !== undefined && incremental !== false) {
    throw new RequestError({
      status: 400,
      field: `${names.spec}.incremental`,
      message: `${names.spec}.incremental: incremental syncs need a state store, which the edge worker does not keep; run them with the tablecast CLI, or send the rows that changed`
    })
  }
  const plan = requestPlanSettings(trackingPlan, trackingPlanMode, names.spec)
  return {
    spec: specResult.data,
    options: optionsResult.data,
    ...(plan.plan === undefined && plan.mode === undefined ? {} : { trackingPlan: plan })
  }
}

/** Reads JSON text given in a query parameter or a header (CSV requests carry spec and options so). */
const jsonParameter = (incoming: IncomingRun, query: string, header: string): { value: unknown; name: string } => {
  const fromQuery = incoming.query(query)
  const fromHeader = incoming.header(header)
  if (fromQuery !== undefined && fromHeader !== undefined) {
    throw new RequestError({ status: 400, field: query, message: `give ${query} in the query or in the ${header} header, not both` })
  }
  const text = fromQuery ?? fromHeader
  const name = fromQuery !== undefined ? query : `header ${header}`
  if (text === undefined) return { value: undefined, name }
  // Header values travel as bytes that HTTP libraries read as Latin-1: "é" sent as UTF-8 would be
  // read as "Ã©". Rather than guess, a header must be ASCII: JSON's \u escapes carry any character.
  if (fromQuery === undefined && /[^\x20-\x7e\t]/.test(text)) {
    throw new RequestError({
      status: 400,
      field: name,
      message: `${name}: only ASCII is allowed in a header; write other characters as JSON \\u escapes (e.g. "Caf\\u00e9"), or send ?${query}= (percent-encoded UTF-8)`
    })
  }
  try {
    return { value: JSON.parse(text), name }
  } catch {
    throw new RequestError({ status: 400, field: name, message: `${name}: not valid JSON` })
  }
}

/**
 * A query parameter of `url`, decoded as strict percent-encoded UTF-8 (`+` is a space). Hono's and
 * URLSearchParams' decoding would keep or replace (U+FFFD) a sequence that is not UTF-8; here it is
 * a 400 naming the parameter. The first occurrence counts.
 */
export const strictQueryParameter = (url: string, name: string): string | undefined => {
  const question = url.indexOf("?")
  if (question === -1) return undefined
  const hash = url.indexOf("#", question)
  const query = url.slice(question + 1, hash === -1 ? undefined : hash)
  for (const pair of query.split("&")) {
    const equals = pair.indexOf("=")
    const rawKey = equals === -1 ? pair : pair.slice(0, equals)
    const rawValue = equals === -1 ? "" : pair.slice(equals + 1)
    let key: string
    try {
      key = decodeURIComponent(rawKey.replace(/\+/g, " "))
    } catch {
      continue
    }
    if (key !== name) continue
    try {
      return decodeURIComponent(rawValue.replace(/\+/g, " "))
    } catch {
      throw new RequestError({ status: 400, field: name, message: `${name}: not valid percent-encoded UTF-8` })
    }
  }
  return undefined
}

const mediaType = (contentType: string | undefined): string => (contentType ?? "").split(";")[0]!.trim().toLowerCase()

/**
 * Parses and checks a run request:
 * - `application/json`: `{ "spec": {...}, "options"?: {...}, "rows": [{...}, ...] }`;
 * - `text/csv`: the CSV text, with the spec in `?spec=` or `X-Tablecast-Spec` (JSON), and the
 *   options in `?options=` or `X-Tablecast-Options`.
 * The body's size was bounded before this runs; the row count is checked before the rows are.
 */
export const parseRunRequest = async (
  incoming: IncomingRun,
  deployment: BodyLimits & { readonly SYNC_MAX_ROWS?: number },
  allowWriteKeyHeader: boolean,
  /** Whether this deployment can queue a run (Workers with Queues; not Node). */
  canQueue = true
): Promise<RunRequest> => {
  const modeResult = RunMode.safeParse(incoming.query("mode") ?? "auto")
  if (!modeResult.success) throw badRequest(issuesOf(modeResult.error, "mode"))
  const mode = modeResult.data
  // A run that cannot be queued stops being read past the synchronous row limit.
  const limits: BodyLimits =
    (mode === "sync" || !canQueue) && deployment.SYNC_MAX_ROWS !== undefined
      ? { ...deployment, SYNC_ONLY_MAX_ROWS: deployment.SYNC_MAX_ROWS }
      : deployment

  const headerKey = incoming.header(WriteKeyHeader)?.trim()
  if (headerKey !== undefined && headerKey !== "" && !allowWriteKeyHeader) {
    throw new RequestError({
      status: 400,
      field: `header ${WriteKeyHeader}`,
      message: "this deployment takes the write key from its own secret, not from requests"
    })
  }
  const writeKey = headerKey === undefined || headerKey === "" ? undefined : Redacted.make(headerKey)

  const type = mediaType(incoming.contentType)
  if (type === "text/csv") {
    const spec = jsonParameter(incoming, "spec", SpecHeader)
    const options = jsonParameter(incoming, "options", OptionsHeader)
    if (spec.value === undefined) {
      throw new RequestError({ status: 400, field: "spec", message: `a CSV request needs its spec in ?spec= or in the ${SpecHeader} header` })
    }
    const checked = checkSpecAndOptions(spec.value, options.value, { spec: spec.name, options: options.name })
    const rows = await readCsvBody(incoming.body(), { contentLength: incoming.contentLength, limits })
    // `auto` is decided once per column, from the request's first rows, before any chunk is cut.
    const columnTypes = decideRequestColumnTypes(rows.items, "csv", rows.names)
    return { ...checked, rows: { ...rows, columnTypes }, format: "csv", mode, writeKey }
  }
  if (type !== "application/json" && !type.endsWith("+json")) {
    throw new RequestError({ status: 415, field: "content-type", message: "send application/json ({ spec, options, rows }) or text/csv" })
  }

  const body = await readJsonBody(incoming.body(), { contentLength: incoming.contentLength, limits })
  if (body.rows === undefined) {
    const issues: Array<Issue> = [{ field: "rows", message: "required: an array of row objects" }]
    const specResult = parseSyncParts({ spec: body.spec, pipeline: undefined }).spec
    if (!specResult.success) issues.push(...issuesOf(specResult.error, "spec"))
    throw badRequest(issues)
  }
  const checked = checkSpecAndOptions(body.spec, body.options, { spec: "spec", options: "options" })
  const columnTypes = decideRequestColumnTypes(body.rows.items, "json")
  return { ...checked, rows: { ...body.rows, columnTypes }, format: "json", mode, writeKey }
}
