import * as Schema from "effect/Schema"
import { BodyError } from "./RequestBody.ts"

/** A request refused by a check: counted, answered as Segment does (status, message, headers). */
export class Refusal extends Schema.TaggedError<Refusal>()("Refusal", {
  status: Schema.Number,
  message: Schema.String,
  headers: Schema.optional(Schema.Record(Schema.String, Schema.String))
}) {}

/** The refusal to answer for what a request's handling threw: a body it could not decode keeps its status; anything else is a 500. */
export const refusalOf = (error: unknown): Refusal => {
  if (error instanceof Refusal) return error
  if (error instanceof BodyError) return new Refusal({ status: error.status, message: error.message })
  return new Refusal({ status: 500, message: `sink failure: ${error instanceof Error ? error.message : String(error)}` })
}
