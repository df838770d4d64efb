import * as z from "zod"
import { IncrementalSpec, type IncrementalSpecInput } from "../IncrementalSpec.ts"
import { nestsDeeperThan, tooDeepReason } from "../map/ValueDepth.ts"

/**
 * How a column's raw value becomes a JSON value.
 * `auto` keeps strings as strings except exact number literals ("0.734" → 0.734, "007" stays "007").
 */
export const ColumnType = z.enum(["auto", "string", "number", "integer", "boolean", "json", "timestamp"])
export type ColumnType = z.infer<typeof ColumnType>

const ColumnName = z.string().min(1, "a column name cannot be empty")
const ColumnList = z.union([z.literal("*"), z.array(ColumnName)])

/**
 * A sync: which columns of a row become which parts of a Segment call. This is what a user writes
 * (flags, a config file entry, a request body), so every field is checked and named in errors.
 */
export const SyncSpec = z
  .object({
    /** Names the sync in messageIds, reports and checkpoints. Defaults to the call type and event. */
    name: z.string().min(1).max(200).optional(),
    /** `track`, `identify`, or `both` (an identify then a track per row). */
    type: z.enum(["track", "identify", "both"]).default("track"),
    /** The `event` of each track call, e.g. "Sales Prediction". */
    event: z.string().min(1).max(200).optional(),
    /** Column whose value becomes `userId`. */
    customerId: ColumnName.optional(),
    /** Column whose value becomes `anonymousId`. */
    anonymousId: ColumnName.optional(),
    /** Columns that become `properties` (track) — a list, or "*" for all remaining columns. */
    properties: ColumnList.default("*"),
    /** Columns that become `traits` (identify). Defaults to `properties`. */
    traits: ColumnList.optional(),
    /** Columns left out of "*". The id and timestamp columns are always left out. */
    exclude: z.array(ColumnName).default([]),
    /** Column → property name. A dotted name ("scores.iphone") makes a nested object. */
    rename: z.record(ColumnName, z.string().min(1)).default({}),
    /** Whether dotted column names ("scores.iphone") become nested objects. */
    nest: z.boolean().default(true),
    /** Column holding the row's own time; becomes `timestamp` (ISO-8601 UTC). */
    timestamp: ColumnName.optional(),
    /**
     * Declared column types; undeclared columns are `auto` (decided once per column by the source).
     * The key `"*"` declares every column not declared by name (`{"*": "string"}`: all text).
     */
    columns: z.record(ColumnName, ColumnType).default({}),
    /**
     * What an empty value (empty CSV cell, NULL) becomes: left out (`omit`), `null`, or `""`
     * (`empty`: in columns sent as text; left out in columns of another type, where "" would be a
     * second type).
     */
    empty: z.enum(["omit", "null", "empty"]).default("omit"),
    /** Static `context` merged into every message (tablecast adds `context.library`). */
    context: z.record(z.string(), z.unknown()).optional(),
    /** Static `integrations` object of every message. */
    integrations: z.record(z.string(), z.unknown()).optional(),
    /**
     * Columns that identify a row: for messageIds, and the key of an incremental sync's snapshot.
     * Defaults to the customer id and anonymous id. Setting it makes the sync incremental.
     */
    key: z.array(ColumnName).min(1).optional(),
    /** Send only what changed since the last run (see docs/incremental.md); `false` sends every row. */
    incremental: z
      .custom<false | IncrementalSpecInput>()
      .transform((value, ctx): false | IncrementalSpec => {
        // Not a union: a union's error would only say "invalid input", not which setting is wrong.
        if (value === false) return false
        const parsed = IncrementalSpec.safeParse(value)
        if (parsed.success) return parsed.data
        for (const issue of parsed.error.issues) {
          const message = issue.code === "unrecognized_keys" ? `unknown field${issue.keys.length === 1 ? "" : "s"} ${issue.keys.join(", ")}` : issue.message
          ctx.addIssue({ code: "custom", message, path: issue.path })
        }
        return z.NEVER
      })
      .optional()
  })
  .strict()
  .superRefine((spec, ctx) => {
    if (spec.type !== "identify" && spec.event === undefined) {
      ctx.addIssue({ code: "custom", path: ["event"], message: `a ${spec.type} sync needs an event name` })
    }
    if (spec.incremental !== undefined && spec.incremental !== false) {
      const removed = spec.incremental.removed
      if (removed?.clearTraits === true && spec.type === "track") {
        ctx.addIssue({ code: "custom", path: ["incremental", "removed", "clearTraits"], message: "a track sync sends no traits to clear" })
      }
    }
    // Each message carries them: nested past the limit, they would overflow the serializer.
    for (const field of ["context", "integrations"] as const) {
      if (spec[field] !== undefined && nestsDeeperThan(spec[field])) {
        ctx.addIssue({ code: "custom", path: [field], message: tooDeepReason() })
      }
    }
    if (spec.customerId === undefined && spec.anonymousId === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["customerId"],
        message: "a sync needs a customer id column (userId) or an anonymous id column"
      })
    }
  })

/** A sync as the user writes it (defaults optional). */
export type SyncSpecInput = z.input<typeof SyncSpec>
/** A checked sync with defaults filled in. */
export type SyncSpec = z.output<typeof SyncSpec>

/** The dotted place of an issue; an unknown key's place is the key itself. */
export const issuePlaces = (issue: z.core.$ZodIssue, prefix = ""): ReadonlyArray<string> => {
  const base = [prefix, ...issue.path.map(String)].filter((part) => part !== "").join(".")
  if (issue.code === "unrecognized_keys") return issue.keys.map((key) => (base === "" ? key : `${base}.${key}`))
  return [base]
}

/** Formats zod issues as "field: message" lines, naming the field at fault. */
export const formatIssues = (error: z.ZodError, prefix = ""): string =>
  error.issues
    .flatMap((issue) =>
      issuePlaces(issue, prefix).map((place) => {
        const message = issue.code === "unrecognized_keys" ? "unknown field" : issue.message
        return place === "" ? message : `${place}: ${message}`
      })
    )
    .join("\n")

/** The incremental settings of a sync, when it is incremental: it names a key or an `incremental` block. */
export const incrementalOf = (spec: SyncSpec): { readonly key: ReadonlyArray<string>; readonly settings: IncrementalSpec } | undefined => {
  if (spec.incremental === false) return undefined
  if (spec.incremental === undefined && spec.key === undefined) return undefined
  const key = spec.key ?? [spec.customerId ?? spec.anonymousId!]
  return { key, settings: spec.incremental ?? IncrementalSpec.parse({}) }
}
