import * as Schema from "effect/Schema"

/** The statuses a refused request is answered with (the answer's `error` code is `ErrorAnswer`'s). */
export const RequestErrorStatus = Schema.Literals([400, 401, 404, 413, 415, 429, 503])
export type RequestErrorStatus = typeof RequestErrorStatus.Type

/**
 * A request the edge will not run, with the HTTP status to answer and the field at fault
 * (`spec.event`, `rows.12`, `body`, `header X-Tablecast-Spec`, ...). Messages never quote a secret.
 */
export class RequestError extends Schema.TaggedError<RequestError>()("RequestError", {
  status: RequestErrorStatus,
  field: Schema.optional(Schema.String),
  message: Schema.String,
  /** Seconds, for 429 and 503 answers. */
  retryAfterSeconds: Schema.optional(Schema.Number)
}) {}
