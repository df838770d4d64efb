import { formatIssues } from "@tablecast/core"
import * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as z from "zod"
import { endpointProblem, regionHosts, type SegmentRegion } from "./SegmentEndpoint.ts"
import { writeKeyProblem } from "./WriteKey.ts"

const WriteKey = z.custom<Redacted.Redacted<string>>().superRefine((value, ctx) => {
  const problem = writeKeyProblem(value)
  if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem })
})

/**
 * How to reach Segment (or a Segment-compatible receiver). Give a `region` or an `endpoint`, not
 * both; with neither, batches go to the US region.
 */
export const SegmentTransportOptions = z
  .object({
    /** The write key of a Segment HTTP API source. Sent only in the Authorization header. */
    writeKey: WriteKey,
    /** `us` (https://api.segment.io) or `eu` (https://events.eu1.segmentapis.com). */
    region: z.enum(Object.keys(regionHosts) as [SegmentRegion, ...Array<SegmentRegion>]).optional(),
    /**
     * A Segment-compatible receiver: its base URL (`/v1/batch` is added) or its batch URL, e.g. a
     * RudderStack data plane, Jitsu, or a local sink at http://127.0.0.1:14318.
     */
    endpoint: z
      .string()
      .superRefine((text, ctx) => {
        const problem = endpointProblem(text)
        if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem })
      })
      .optional(),
    /** Compress request bodies (`Content-Encoding: gzip`). */
    gzip: z.boolean().default(false),
    /** Give up on an attempt with no full answer after this long (a retryable `timeout`). */
    timeoutMillis: z.number().int().min(1).max(600_000).default(10_000),
    /** Keep-alive connections to the endpoint (Node transport; the fetch transport leaves it to the runtime). */
    connections: z.number().int().min(1).max(256).default(8)
  })
  .strict()
  .superRefine((options, ctx) => {
    if (options.region !== undefined && options.endpoint !== undefined) {
      ctx.addIssue({ code: "custom", path: ["endpoint"], message: "give a region or an endpoint, not both" })
    }
  })

export type SegmentTransportOptionsInput = z.input<typeof SegmentTransportOptions>
export type SegmentTransportOptions = z.output<typeof SegmentTransportOptions>

/** Options that failed validation; the message names each field at fault and never a secret. */
export class SegmentTransportOptionsError extends Schema.TaggedError<SegmentTransportOptionsError>()("SegmentTransportOptionsError", {
  message: Schema.String
}) {}

/** Validates options in Effect, failing with a readable error. */
export const parseOptions = (input: SegmentTransportOptionsInput): Effect.Effect<SegmentTransportOptions, SegmentTransportOptionsError> =>
  Effect.suspend(() => {
    const result = SegmentTransportOptions.safeParse(input)
    return result.success ? Effect.succeed(result.data) : Effect.fail(new SegmentTransportOptionsError({ message: formatIssues(result.error) }))
  })
