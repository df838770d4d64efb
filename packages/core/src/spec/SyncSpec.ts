import * as z from "zod"
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
 * The fields of a sync: which columns of a row become which parts of a Segment call. A package that
 * adds settings of its own (the incremental package's `incremental`) spreads these into its schema
 * and checks it with `checkSyncSpec`.
 */
export const syncSpecFields = {
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
   * Columns that identify a row: for messageIds (and the key of an incremental sync's snapshot,
   * where setting it makes the sync incremental). Defaults to the customer id and anonymous id.
   */
  key: z.array(ColumnName).min(1).optional()
}

type SyncSpecFields = z.output<z.ZodObject<typeof syncSpecFields>>

/** The checks across fields that every sync spec gets, whatever settings a package adds to it. */
export const checkSyncSpec = (spec: SyncSpecFields, ctx: z.RefinementCtx): void => {
  if (spec.type !== "identify" && spec.event === undefined) {
    ctx.addIssue({ code: "custom", path: ["event"], message: `a ${spec.type} sync needs an event name` })
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
}

/**
 * A sync: which columns of a row become which parts of a Segment call. This is what a user writes
 * (flags, a config file entry, a request body), so every field is checked and named in errors.
 */
export const SyncSpec = z.object(syncSpecFields).strict().superRefine(checkSyncSpec)

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
