import { type DeliveryReport, type Fatal, fatalOfRecord } from "@tablecast/core"
import { EdgeConfigError } from "./EdgeConfig.ts"
import { RequestError, type RequestErrorStatus } from "./RequestError.ts"
import { TransportSetupError } from "./TransportSetupError.ts"

/**
 * The one place that turns the edge's errors and a run's fatal outcome into HTTP statuses. Both
 * tables are exhaustive by type: a new error class (added to `edgeErrors`) or a new kind of fatal
 * outcome in core without a status here does not compile.
 */

/** The edge's own errors, the only ones `runEdgeEffect` lets through and the app answers by status. */
const edgeErrors = [RequestError, EdgeConfigError, TransportSetupError] as const

export type EdgeError = InstanceType<(typeof edgeErrors)[number]>

export const isEdgeError = (error: unknown): error is EdgeError => edgeErrors.some((kind) => error instanceof kind)

/** An error's answer: status, JSON body, and the `Retry-After` seconds when there are some. */
export interface ErrorAnswer {
  readonly status: RequestErrorStatus
  readonly body: { readonly error: string; readonly field?: string; readonly message: string }
  readonly retryAfterSeconds?: number
}

const errorCode: { readonly [Status in RequestErrorStatus]: string } = {
  400: "bad-request",
  401: "unauthorized",
  404: "not-found",
  413: "too-large",
  415: "unsupported-media-type",
  429: "too-many-requests",
  503: "unavailable"
}

type AnswerOf = { readonly [Tag in EdgeError["_tag"]]: (error: Extract<EdgeError, { readonly _tag: Tag }>) => ErrorAnswer }

const answerOf: AnswerOf = {
  RequestError: (error) => ({
    status: error.status,
    body: {
      error: errorCode[error.status],
      ...(error.field === undefined ? {} : { field: error.field }),
      message: error.message
    },
    ...(error.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: error.retryAfterSeconds })
  }),
  // A Worker has no start-up step that sees its variables: each request checks them (cached per
  // env), and until they are fixed every request is refused, naming the variables (never values).
  EdgeConfigError: (error) => {
    const names = error.variables.length === 0 ? "" : ` (${error.variables.join(", ")})`
    return { status: 503, body: { error: "unavailable", message: `this deployment is misconfigured${names}; see its logs` } }
  },
  // The transport's own check (e.g. a write key with a colon); its message never quotes the key.
  TransportSetupError: (error) => ({ status: 400, body: { error: "bad-request", field: "writeKey", message: error.message } })
}

/** How the edge answers one of its errors. */
export const answerOfError = (error: EdgeError): ErrorAnswer => (answerOf[error._tag] as (error: EdgeError) => ErrorAnswer)(error)

/**
 * The status of a run that stopped early, by its cause: a spec naming columns the CSV lacks (or
 * that cannot be mapped) is the request's fault (400), the rest is Segment's side or ours (502).
 */
const statusOfFatal = {
  SpecInvalid: 400,
  WriteKeyRefused: 502,
  EndpointUnreachable: 502,
  SourceFailed: 502,
  SourceChanged: 502,
  CheckpointFailed: 502,
  Interrupted: 502,
  RejectLimitExceeded: 502,
  GuardTripped: 502,
  StateFailed: 502,
  InternalDefect: 502,
  BooksUnbalanced: 502,
  OutputFailed: 502
} as const satisfies { readonly [Tag in Fatal["_tag"]]: 400 | 502 }

/**
 * The status a synchronous run is answered with. Anything short of "completed" is not a success
 * for a scheduler calling with `curl --fail`.
 */
export const statusOfReport = (report: DeliveryReport): 200 | 400 | 502 =>
  report.outcome === "completed" ? 200 : report.fatal === undefined ? 502 : statusOfFatal[fatalOfRecord(report.fatal)._tag]
