import { PipelineOptions, SyncSpec } from "@tablecast/core"
import type * as z from "zod"
import { Destination } from "./ConfigSchema.ts"

/** A sync's parts as a user wrote them: a config entry with flags over it, or an edge request. */
export interface SyncPartsInput {
  readonly spec: unknown
  readonly pipeline: unknown
  /** Absent where the destination is not the user's to give (the edge takes it from its own settings). */
  readonly destination?: unknown
}

export interface SyncPartsOptions<Spec> {
  /** The spec schema; core's SyncSpec unless a package extends it. */
  readonly spec?: z.ZodType<Spec>
  /** Pipeline fields an app sets when the user does not (the edge's shorter retry budget). */
  readonly pipelineDefaults?: Readonly<Record<string, unknown>>
}

/** Each part's result on its own, so that an app can name every field at fault in its own words. */
export interface ParsedSyncParts<Spec> {
  readonly spec: z.ZodSafeParseResult<Spec>
  readonly pipeline: z.ZodSafeParseResult<PipelineOptions>
  readonly destination: z.ZodSafeParseResult<Destination> | undefined
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * The one parser of a sync's spec, pipeline and destination, for the CLI and the edge alike.
 * Defaults apply under what the user gave, and only to an object: anything else fails as it is.
 */
export const parseSyncParts = <Spec = SyncSpec>(input: SyncPartsInput, options: SyncPartsOptions<Spec> = {}): ParsedSyncParts<Spec> => {
  const specSchema = (options.spec ?? SyncSpec) as z.ZodType<Spec>
  const defaults = options.pipelineDefaults
  const pipeline = input.pipeline ?? {}
  const pipelineInput = defaults !== undefined && isRecord(pipeline) ? withDefaults(pipeline, defaults) : pipeline
  return {
    spec: specSchema.safeParse(input.spec),
    pipeline: PipelineOptions.safeParse(pipelineInput),
    destination: "destination" in input ? Destination.safeParse(input.destination ?? {}) : undefined
  }
}

/** A default counts only where the user's object does not name the field at all. */
const withDefaults = (given: Record<string, unknown>, defaults: Readonly<Record<string, unknown>>): Record<string, unknown> => {
  const missing = Object.entries(defaults).filter(([key]) => !(key in given))
  return missing.length === 0 ? given : { ...given, ...Object.fromEntries(missing) }
}
