import { callsOf, checkSyncSpec, syncSpecFields } from "@tablecast/core"
import * as z from "zod"
import { IncrementalSpec, type IncrementalSpecInput } from "./IncrementalSpec.ts"

/**
 * A sync spec with its `incremental` settings: core's fields and checks, and the one field core
 * does not know. What the CLI parses a sync with.
 */
export const IncrementalSyncSpec = z
  .object({
    ...syncSpecFields,
    /** Send only what changed since the last run (see docs/incremental.md); `false` sends every row. */
    incremental: z
      .custom<false | IncrementalSpecInput>()
      .transform((value, ctx): false | IncrementalSpec => {
        // Not a union: a union's error would only say "invalid input", not which setting is wrong.
        if (value === false) return false
        const parsed = IncrementalSpec.safeParse(value)
        if (parsed.success) return parsed.data
        for (const issue of parsed.error.issues) {
          const message =
            issue.code === "unrecognized_keys" ? `unknown field${issue.keys.length === 1 ? "" : "s"} ${issue.keys.join(", ")}` : issue.message
          ctx.addIssue({ code: "custom", message, path: issue.path })
        }
        return z.NEVER
      })
      .optional()
  })
  .strict()
  .superRefine((spec, ctx) => {
    checkSyncSpec(spec, ctx)
    if (
      spec.incremental !== undefined &&
      spec.incremental !== false &&
      spec.incremental.removed?.clearTraits === true &&
      !callsOf(spec.type).includes("identify")
    ) {
      ctx.addIssue({
        code: "custom",
        path: ["incremental", "removed", "clearTraits"],
        message: `a ${spec.type} sync sends no identify traits to clear`
      })
    }
    if (
      spec.incremental !== undefined &&
      spec.incremental !== false &&
      spec.incremental.removed?.clearGroupTraits === true &&
      !callsOf(spec.type).includes("group")
    ) {
      ctx.addIssue({
        code: "custom",
        path: ["incremental", "removed", "clearGroupTraits"],
        message: `a ${spec.type} sync sends no group traits to clear`
      })
    }
  })

/** An incremental-capable sync as the user writes it (defaults optional). */
export type IncrementalSyncSpecInput = z.input<typeof IncrementalSyncSpec>
/** A checked sync with its incremental settings, defaults filled in. */
export type IncrementalSyncSpec = z.output<typeof IncrementalSyncSpec>

/** The incremental settings of a sync, when it is incremental: it names a key or an `incremental` block. */
export const incrementalOf = (
  spec: IncrementalSyncSpec
): { readonly key: ReadonlyArray<string>; readonly settings: IncrementalSpec } | undefined => {
  if (spec.incremental === false) return undefined
  if (spec.incremental === undefined && spec.key === undefined) return undefined
  const key = spec.key ?? [spec.customerId ?? spec.anonymousId!]
  return { key, settings: spec.incremental ?? IncrementalSpec.parse({}) }
}
