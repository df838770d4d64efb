import * as Schema from "effect/Schema"
import * as z from "zod"

/**
 * One run the Worker starts on a Cron Trigger: where its rows are (a URL the Worker fetches, CSV or
 * JSON), the sync spec and options (as in a `POST /v1/runs` body), and which cron fires it.
 * Secrets are named, never held: `urlSecret`, `authorizationSecret` and `writeKeySecret` are the
 * names of Worker secrets holding a signed URL, an `Authorization` header value and a write key.
 */
const ScheduledRunSchema = z
  .object({
    /** Names the run in logs and in the run list; also the spec's name when it has none. */
    name: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, "1 to 64 letters, digits, dots, dashes or underscores"),
    /** The cron expression (as in `triggers.crons`) that starts it; every trigger when absent. */
    cron: z.string().min(1).optional(),
    url: z
      .string()
      .refine((text) => /^https?:\/\//.test(text) && URL.canParse(text), "an http(s):// URL")
      .refine(
        (text) => !URL.canParse(text) || (new URL(text).username === "" && new URL(text).password === ""),
        "no credentials in the URL: use authorizationSecret"
      )
      .optional(),
    urlSecret: z
      .string()
      .regex(/^[A-Z][A-Z0-9_]*$/, "the name of a Worker secret (A-Z, 0-9, _)")
      .optional(),
    authorizationSecret: z
      .string()
      .regex(/^[A-Z][A-Z0-9_]*$/, "the name of a Worker secret (A-Z, 0-9, _)")
      .optional(),
    writeKeySecret: z
      .string()
      .regex(/^[A-Z][A-Z0-9_]*$/, "the name of a Worker secret (A-Z, 0-9, _)")
      .optional(),
    /** `csv` or `json` (an array of row objects); from the answer's Content-Type when absent. */
    format: z.enum(["csv", "json"]).optional(),
    spec: z.record(z.string(), z.unknown()),
    options: z.record(z.string(), z.unknown()).optional()
  })
  .strict()
  .refine((run) => (run.url === undefined) !== (run.urlSecret === undefined), { message: "give url or urlSecret (exactly one)", path: ["url"] })

export type ScheduledRun = z.output<typeof ScheduledRunSchema>

const ScheduledRunsSchema = z.array(ScheduledRunSchema).max(100)

/** `SCHEDULED_RUNS` that does not check: the message names each entry and field at fault, never a value. */
export class ScheduledRunsError extends Schema.TaggedError<ScheduledRunsError>()("ScheduledRunsError", {
  message: Schema.String
}) {}

/**
 * Reads `SCHEDULED_RUNS`: a JSON array in `wrangler.jsonc` `vars` (an object there, a string in
 * `.dev.vars` or a secret). Absent or blank: no scheduled runs. Names must be unique.
 */
export const parseScheduledRuns = (value: unknown): ReadonlyArray<ScheduledRun> => {
  if (value === undefined || (typeof value === "string" && value.trim() === "")) return []
  let parsed: unknown = value
  if (typeof value === "string") {
    try {
      parsed = JSON.parse(value)
    } catch {
      throw new ScheduledRunsError({ message: "SCHEDULED_RUNS: not valid JSON" })
    }
  }
  const result = ScheduledRunsSchema.safeParse(parsed)
  if (!result.success) {
    const lines = result.error.issues.map(
      (issue) =>
        `SCHEDULED_RUNS${issue.path.map((part) => (typeof part === "number" ? `[${part}]` : `.${String(part)}`)).join("")}: ${issue.message}`
    )
    throw new ScheduledRunsError({ message: lines.slice(0, 20).join("\n") })
  }
  const names = new Set<string>()
  for (const [index, run] of result.data.entries()) {
    if (names.has(run.name)) throw new ScheduledRunsError({ message: `SCHEDULED_RUNS[${index}].name: "${run.name}" is used twice` })
    names.add(run.name)
  }
  return result.data
}

/** The runs a trigger starts: those of its cron expression, and those without one. */
export const runsForCron = (runs: ReadonlyArray<ScheduledRun>, cron: string): ReadonlyArray<ScheduledRun> =>
  runs.filter((run) => run.cron === undefined || run.cron.trim() === cron.trim())
