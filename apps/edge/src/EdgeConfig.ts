import { defaultRunRetention, formatIssues } from "@tablecast/core"
import { endpointProblem } from "@tablecast/segment/endpoint"
import { writeKeyProblem } from "@tablecast/segment/write-key"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as z from "zod"
import { TrackingPlanError } from "@tablecast/tracking-plan/interpreted"
import { checkedPlan, type EdgeTrackingPlan } from "./EdgeTrackingPlan.ts"
import { type DeploymentNotify, NotifyOnVar, NotifyUrlVar } from "./notify/EdgeNotify.ts"

/**
 * The string variables and secrets the edge reads (Worker `vars`/secrets, or `process.env` on
 * Node). Every one is optional here; `EdgeConfig.fromEnv` checks and fills defaults.
 */
export interface EdgeVars {
  /** Secret: the bearer token every request must carry. Without it every request gets 503. */
  readonly TABLECAST_TOKEN?: string
  /** Secret: the Segment write key, when requests do not bring their own. */
  readonly SEGMENT_WRITE_KEY?: string
  /** `us` (default) or `eu`. */
  readonly SEGMENT_REGION?: string
  /** A Segment-compatible base URL (RudderStack, Jitsu, a local sink); wins over the region. */
  readonly SEGMENT_ENDPOINT?: string
  readonly SEGMENT_GZIP?: string
  readonly SEGMENT_TIMEOUT_MILLIS?: string
  /** Whether a request may bring its own write key in `X-Segment-Write-Key` (default true). */
  readonly ALLOW_WRITE_KEY_HEADER?: string
  /** Comma-separated origins allowed by CORS; CORS is off when unset. */
  readonly CORS_ORIGINS?: string
  readonly MAX_BODY_BYTES?: string
  readonly MAX_ROWS?: string
  readonly MAX_CELLS?: string
  readonly SYNC_MAX_ROWS?: string
  readonly SYNC_MAX_CELLS?: string
  readonly MAX_CONCURRENT_RUNS?: string
  readonly CHUNK_MAX_ROWS?: string
  readonly CHUNK_MAX_BYTES?: string
  readonly CHUNK_MAX_ATTEMPTS?: string
  readonly CHUNK_RETRY_DELAY_SECONDS?: string
  readonly RUN_RETENTION_HOURS?: string
  readonly RUN_HISTORY_MAX_RUNS?: string
  readonly RUN_HISTORY_MAX_DAYS?: string
  readonly LOG_LEVEL?: string
  /** Secret: the webhook alerts go to (Slack's incoming webhook, or any JSON receiver); no alerts when unset. */
  readonly NOTIFY_URL?: string
  /** Triggers, comma-separated: failure, incomplete, rejects, guard, success (default failure,incomplete,guard). */
  readonly NOTIFY_ON?: string
  /** `rejects` fires over this many rejected rows (and is on by default once this is set). */
  readonly NOTIFY_REJECTS_OVER?: string
  /** `slack` (default) or `json`. */
  readonly NOTIFY_FORMAT?: string
  /** Whether a request may name its own webhook in `X-Tablecast-Notify` (default true); false: only NOTIFY_URL. */
  readonly ALLOW_NOTIFY_URL_HEADER?: string
  /**
   * The tracking plan every run is checked against unless its spec brings its own: the plan's JSON (an
   * object in `wrangler.jsonc` `vars`, or its text in a string variable or secret).
   */
  readonly TRACKING_PLAN?: string | object
  /** `reject` (default) or `warn`: what a violation of TRACKING_PLAN does, unless a spec's trackingPlanMode says. */
  readonly TRACKING_PLAN_MODE?: string
}

const count = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback)

const flag = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0", "yes", "no"])
    .default(fallback ? "true" : "false")
    .transform((value) => value === "true" || value === "1" || value === "yes")

/**
 * Limits: what one request may hold and cost. Over a size limit the answer is 413; over a rate or
 * concurrency limit it is 429 with `Retry-After`.
 */
const LimitsSchema = z.object({
  /** Request body, in bytes (Workers accept up to 100 MB; parsed rows must fit in 128 MB). */
  MAX_BODY_BYTES: count(1_024, 100_000_000, 20_000_000),
  /** Rows in one request, either path. Checked while the body is read. */
  MAX_ROWS: count(1, 10_000_000, 250_000),
  /**
   * Values in one request (a CSV's fields; a JSON row's values, nested ones included), checked
   * while the body is read: with MAX_BODY_BYTES, what bounds the memory a request's rows take.
   */
  MAX_CELLS: count(1, 100_000_000, 1_000_000),
  /** Rows answered synchronously; more go through the queue (or get 413 with `mode=sync`). */
  SYNC_MAX_ROWS: count(0, 10_000_000, 10_000),
  /**
   * The CPU budget of a synchronous run, as rows × columns: mapping, validation and serialization
   * cost grows with cells. Over it, the run goes through the queue (or 413 with `mode=sync`).
   */
  SYNC_MAX_CELLS: count(0, 1_000_000_000, 250_000),
  /** Synchronous runs at once in one isolate (or Node process); more get 429. */
  MAX_CONCURRENT_RUNS: count(0, 1_000, 4),
  /** Rows per queue message. */
  CHUNK_MAX_ROWS: count(1, 100_000, 1_000),
  /** Bytes per queue message body (Cloudflare Queues take 128 KB per message). */
  CHUNK_MAX_BYTES: count(1_024, 120_000, 96_000),
  /** Deliveries of a chunk before it goes to the dead-letter queue. */
  CHUNK_MAX_ATTEMPTS: count(1, 100, 3),
  /** Delay before a chunk with undelivered messages is retried, doubled each time. */
  CHUNK_RETRY_DELAY_SECONDS: count(0, 43_200, 30),
  /** How long a run's status is kept. */
  RUN_RETENTION_HOURS: count(1, 24 * 90, 24 * 7),
  /** Runs the run history keeps (`GET /v1/runs`): the newest this many. */
  RUN_HISTORY_MAX_RUNS: count(1, 100_000, defaultRunRetention.maxRuns),
  /** Days the run history keeps a run. */
  RUN_HISTORY_MAX_DAYS: count(1, 3_650, defaultRunRetention.maxAgeDays)
})

/** What a bearer token may hold (RFC 6750's b64token): anything else could never be sent. */
const BearerToken = /^[A-Za-z0-9\-._~+/]+=*$/

const EdgeVarsSchema = LimitsSchema.extend({
  TABLECAST_TOKEN: z
    .string()
    .min(16, "the bearer token must be at least 16 characters")
    .regex(
      BearerToken,
      "the bearer token may hold only letters, digits and - . _ ~ + / (then = padding), as an Authorization: Bearer header can carry"
    )
    .optional(),
  SEGMENT_WRITE_KEY: z
    .string()
    .min(1)
    .superRefine((key, ctx) => {
      // The transport's own check, at start-up rather than at the first run.
      const problem = writeKeyProblem(Redacted.make(key))
      if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem })
    })
    .optional(),
  SEGMENT_REGION: z.enum(["us", "eu"]).default("us"),
  SEGMENT_ENDPOINT: z
    .string()
    .superRefine((text, ctx) => {
      const problem = endpointProblem(text)
      // The Segment transport's own rules, told at start-up.
      if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem })
    })
    .optional(),
  SEGMENT_GZIP: flag(true),
  SEGMENT_TIMEOUT_MILLIS: count(100, 600_000, 15_000),
  ALLOW_WRITE_KEY_HEADER: flag(true),
  CORS_ORIGINS: z
    .string()
    .optional()
    .transform((value) =>
      (value ?? "")
        .split(",")
        .map((origin) => origin.trim())
        .filter((origin) => origin !== "")
    ),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  NOTIFY_URL: NotifyUrlVar.optional(),
  NOTIFY_ON: NotifyOnVar.optional(),
  NOTIFY_REJECTS_OVER: z.coerce.number().int().min(0).optional(),
  NOTIFY_FORMAT: z.enum(["slack", "json"]).optional(),
  ALLOW_NOTIFY_URL_HEADER: flag(true),
  TRACKING_PLAN_MODE: z.enum(["reject", "warn"]).optional()
})

export type EdgeLimits = z.output<typeof LimitsSchema>

/** Where batches go: a region, or an explicit Segment-compatible endpoint. */
export type SegmentTarget = { readonly region: "us" | "eu" } | { readonly endpoint: string }

/** The checked configuration of one deployment. Secrets are `Redacted`. */
export interface EdgeConfig {
  readonly token: Redacted.Redacted<string> | undefined
  readonly writeKey: Redacted.Redacted<string> | undefined
  readonly target: SegmentTarget
  readonly gzip: boolean
  readonly timeoutMillis: number
  readonly allowWriteKeyHeader: boolean
  readonly corsOrigins: ReadonlyArray<string>
  readonly limits: EdgeLimits
  readonly logLevel: "debug" | "info" | "warn" | "error" | "silent"
  /** The deployment's alert settings (a request's X-Tablecast-Notify adds to them); empty when none is set. */
  readonly notify: DeploymentNotify
  /** The deployment's tracking plan (TRACKING_PLAN), checked at start-up; a spec's own plan replaces it. */
  readonly trackingPlan: EdgeTrackingPlan | undefined
}

/** A deployment whose variables do not check: told once per request as 503, never with values. */
export class EdgeConfigError extends Schema.TaggedError<EdgeConfigError>()("EdgeConfigError", {
  message: Schema.String,
  /** The variables at fault, by name. */
  variables: Schema.Array(Schema.String)
}) {}

const blankToUndefined = (env: Readonly<Record<string, unknown>>): Record<string, unknown> => {
  const picked: Record<string, unknown> = {}
  for (const key of Object.keys(EdgeVarsSchema.shape)) {
    const value = env[key]
    // Bindings that are not strings (queues, Durable Objects) are not variables.
    if (typeof value === "string" && value.trim() !== "") picked[key] = value.trim()
  }
  return picked
}

/**
 * TRACKING_PLAN: an object in `vars`, or JSON text. A plan that cannot be used names the variable, the rule
 * and the keyword at fault (plan texts, never a secret).
 */
const deploymentPlan = (value: unknown, mode: "reject" | "warn" | undefined): EdgeTrackingPlan | undefined => {
  if (value === undefined || (typeof value === "string" && value.trim() === "")) {
    if (mode !== undefined) {
      throw new EdgeConfigError({ message: "invalid configuration:\nTRACKING_PLAN_MODE: needs TRACKING_PLAN", variables: ["TRACKING_PLAN_MODE"] })
    }
    return undefined
  }
  try {
    let json: unknown = value
    if (typeof value === "string") {
      try {
        json = JSON.parse(value)
      } catch {
        throw new TrackingPlanError({ origin: "TRACKING_PLAN", reason: "not valid JSON" })
      }
    }
    return checkedPlan(json, "TRACKING_PLAN", mode ?? "reject")
  } catch (error) {
    if (!(error instanceof TrackingPlanError)) throw error
    throw new EdgeConfigError({ message: `invalid configuration:\n${error.message}`, variables: ["TRACKING_PLAN"] })
  }
}

const cache = new WeakMap<object, EdgeConfig>()

export const EdgeConfig = {
  /**
   * Reads the configuration from a Worker's `env` or from `process.env`. Cached per env object:
   * a Worker isolate keeps the same `env` across requests.
   */
  fromEnv: (env: object): EdgeConfig => {
    const cached = cache.get(env)
    if (cached !== undefined) return cached
    const parsed = EdgeVarsSchema.safeParse(blankToUndefined(env as Record<string, unknown>))
    if (!parsed.success) {
      // Issue paths name the variable; zod's messages do not echo the value.
      const variables = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0] ?? "")).filter((name) => name !== ""))]
      throw new EdgeConfigError({ message: `invalid configuration:\n${formatIssues(parsed.error)}`, variables })
    }
    const vars = parsed.data
    const config: EdgeConfig = {
      token: vars.TABLECAST_TOKEN === undefined ? undefined : Redacted.make(vars.TABLECAST_TOKEN),
      writeKey: vars.SEGMENT_WRITE_KEY === undefined ? undefined : Redacted.make(vars.SEGMENT_WRITE_KEY),
      target: vars.SEGMENT_ENDPOINT === undefined ? { region: vars.SEGMENT_REGION } : { endpoint: vars.SEGMENT_ENDPOINT },
      gzip: vars.SEGMENT_GZIP,
      timeoutMillis: vars.SEGMENT_TIMEOUT_MILLIS,
      allowWriteKeyHeader: vars.ALLOW_WRITE_KEY_HEADER,
      corsOrigins: vars.CORS_ORIGINS,
      limits: {
        MAX_BODY_BYTES: vars.MAX_BODY_BYTES,
        MAX_ROWS: vars.MAX_ROWS,
        MAX_CELLS: vars.MAX_CELLS,
        SYNC_MAX_ROWS: vars.SYNC_MAX_ROWS,
        SYNC_MAX_CELLS: vars.SYNC_MAX_CELLS,
        MAX_CONCURRENT_RUNS: vars.MAX_CONCURRENT_RUNS,
        CHUNK_MAX_ROWS: vars.CHUNK_MAX_ROWS,
        CHUNK_MAX_BYTES: vars.CHUNK_MAX_BYTES,
        CHUNK_MAX_ATTEMPTS: vars.CHUNK_MAX_ATTEMPTS,
        CHUNK_RETRY_DELAY_SECONDS: vars.CHUNK_RETRY_DELAY_SECONDS,
        RUN_RETENTION_HOURS: vars.RUN_RETENTION_HOURS,
        RUN_HISTORY_MAX_RUNS: vars.RUN_HISTORY_MAX_RUNS,
        RUN_HISTORY_MAX_DAYS: vars.RUN_HISTORY_MAX_DAYS
      },
      logLevel: vars.LOG_LEVEL,
      notify: {
        ...(vars.NOTIFY_URL === undefined ? {} : { url: Redacted.make(vars.NOTIFY_URL) }),
        ...(vars.NOTIFY_ON === undefined ? {} : { on: vars.NOTIFY_ON }),
        ...(vars.NOTIFY_REJECTS_OVER === undefined ? {} : { rejectsOver: vars.NOTIFY_REJECTS_OVER }),
        ...(vars.NOTIFY_FORMAT === undefined ? {} : { format: vars.NOTIFY_FORMAT }),
        allowRequestUrl: vars.ALLOW_NOTIFY_URL_HEADER
      },
      trackingPlan: deploymentPlan((env as Record<string, unknown>).TRACKING_PLAN, vars.TRACKING_PLAN_MODE)
    }
    cache.set(env, config)
    return config
  }
}
