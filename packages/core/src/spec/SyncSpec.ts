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

/** The Segment calls a row can become, in the order a row's messages are sent. */
export const CALL_TYPES = ["identify", "group", "track"] as const
export type CallType = (typeof CALL_TYPES)[number]

/**
 * A sync's calls, spelled one way: a single call by its name, identify + track as `both` (the
 * spelling before lists, kept so that messageIds and checkpoint names of those syncs stay the same),
 * any other set as its calls in `CALL_TYPES` order joined by commas.
 */
export type SyncType = "track" | "identify" | "group" | "both" | "identify,group" | "group,track" | "identify,group,track"

const canonicalType = (calls: ReadonlySet<CallType>): SyncType => {
  const listed = CALL_TYPES.filter((call) => calls.has(call))
  const joined = listed.join(",")
  return (joined === "identify,track" ? "both" : joined) as SyncType
}

/** `track`, `both`, "identify,group" or ["identify", "group"] → the canonical `SyncType`. */
const SyncTypeInput = z.union([z.string(), z.array(z.string())]).transform((value, ctx): SyncType => {
  const names = (typeof value === "string" ? value.split(",") : value).map((name) => name.trim()).filter((name) => name !== "")
  const calls = new Set<CallType>()
  for (const name of names) {
    if (name === "both") {
      calls.add("identify")
      calls.add("track")
    } else if ((CALL_TYPES as ReadonlyArray<string>).includes(name)) calls.add(name as CallType)
    else {
      ctx.addIssue({ code: "custom", message: `unknown call type ${JSON.stringify(name)}: expected track, identify, group or both` })
      return z.NEVER
    }
  }
  if (calls.size === 0) {
    ctx.addIssue({ code: "custom", message: "name at least one call type: track, identify or group" })
    return z.NEVER
  }
  return canonicalType(calls)
})

/** The calls of a checked sync type, in the order a row's messages are built and sent. */
export const callsOf = (type: SyncType): ReadonlyArray<CallType> =>
  type === "both" ? ["identify", "track"] : (type.split(",") as Array<CallType>)

/**
 * The fields of a sync: which columns of a row become which parts of a Segment call. A package that
 * adds settings of its own (the incremental package's `incremental`) spreads these into its schema
 * and checks it with `checkSyncSpec`.
 */
export const syncSpecFields = {
  /** Names the sync in messageIds, reports and checkpoints. Defaults to the call type and event. */
  name: z.string().min(1).max(200).optional(),
  /**
   * The calls each row becomes: `track`, `identify`, `group`, a set of them ("identify,group" or a
   * list), or `both` (`track,identify`). Checked into one canonical spelling (see `callsOf`).
   */
  type: SyncTypeInput.default("track"),
  /** The `event` of each track call, e.g. "Sales Prediction". */
  event: z.string().min(1).max(200).optional(),
  /** Column whose value becomes `userId`. */
  customerId: ColumnName.optional(),
  /** Column whose value becomes `anonymousId`. */
  anonymousId: ColumnName.optional(),
  /** Column whose value becomes `groupId` (group calls). */
  groupId: ColumnName.optional(),
  /** Columns that become `properties` (track) — a list, or "*" for all remaining columns. */
  properties: ColumnList.default("*"),
  /** Columns that become `traits` (identify and group). Defaults to `properties`. */
  traits: ColumnList.optional(),
  /**
   * Columns that become the `traits` of group calls, when they are the account's and not the
   * user's; identify keeps `traits`. Listed columns are left out of the "*" of the other calls.
   * Defaults to `traits` (both calls carry the same traits).
   */
  groupTraits: ColumnList.optional(),
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
  const calls = callsOf(spec.type)
  if (calls.includes("track") && spec.event === undefined) {
    ctx.addIssue({ code: "custom", path: ["event"], message: `a ${spec.type} sync needs an event name` })
  }
  if (calls.includes("group") && spec.groupId === undefined) {
    ctx.addIssue({ code: "custom", path: ["groupId"], message: "a group call needs a group id column (groupId)" })
  }
  if (!calls.includes("group") && spec.groupId !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["groupId"],
      message: `a group id column is used by group calls only; add group to the type (${spec.type})`
    })
  }
  if (!calls.includes("group") && spec.groupTraits !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["groupTraits"],
      message: `group traits are sent by group calls only; add group to the type (${spec.type})`
    })
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
