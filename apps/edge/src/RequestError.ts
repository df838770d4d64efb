/**
 * A request the edge will not run, with the HTTP status to answer and the field at fault
 * (`spec.event`, `rows.12`, `body`, `header X-Tablecast-Spec`, ...). Messages never quote a secret.
 */
export class RequestError extends Error {
  override readonly name = "RequestError"
  constructor(
    readonly status: 400 | 401 | 404 | 413 | 415 | 429 | 503,
    readonly field: string | undefined,
    message: string,
    /** Seconds, for 429 and 503 answers. */
    readonly retryAfterSeconds?: number
  ) {
    super(message)
  }

  /** The JSON body of the answer. */
  toJSON(): { error: string; field?: string; message: string } {
    return {
      error: errorCode[this.status],
      ...(this.field === undefined ? {} : { field: this.field }),
      message: this.message
    }
  }
}

const errorCode: Record<RequestError["status"], string> = {
  400: "bad-request",
  401: "unauthorized",
  404: "not-found",
  413: "too-large",
  415: "unsupported-media-type",
  429: "too-many-requests",
  503: "unavailable"
}
