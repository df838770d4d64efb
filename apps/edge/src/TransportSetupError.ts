import * as Schema from "effect/Schema"

/** The transport could not be set up (its options did not check); the message holds no secret. */
export class TransportSetupError extends Schema.TaggedError<TransportSetupError>()("TransportSetupError", {
  message: Schema.String
}) {}
