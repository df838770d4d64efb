import * as Schema from "effect/Schema"

/** The source could not be opened (a missing file, a connection refused): the run never started, the CLI exits 6. */
export class StartError extends Schema.TaggedError<StartError>()("StartError", {
  message: Schema.String
}) {}
