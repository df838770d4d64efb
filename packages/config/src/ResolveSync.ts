import path from "node:path"
import { formatIssues, issuePlaces, type PipelineOptions, type SyncSpec } from "@tablecast/core"
import { SegmentTransportOptions } from "@tablecast/segment"
import { writeKeyProblem } from "@tablecast/segment/write-key"
import * as Redacted from "effect/Redacted"
import * as z from "zod"
import { ConfigError, fieldError } from "./ConfigError.ts"
import type { AlertSettings } from "@tablecast/core/notify"
import { DbtConfig, type Destination, EntryFrameKeys, StateConfig } from "./ConfigSchema.ts"
import { type DbtModelRef, withDbtRelation } from "./dbt/DbtProject.ts"
import { resolveNotify } from "./NotifySettings.ts"
import { refuseSecrets, urlHoldsPassword } from "./SecretFields.ts"
import { sourceEntrySchema, type SourceRegistry } from "./SourceRegistry.ts"
import { parseSyncParts } from "./SyncParts.ts"
import { mergeIncremental, type SyncOverrides } from "./SyncOverrides.ts"

/** A sync ready to run: checked spec, source, destination and pipeline, with the write key. */
export interface ResolvedSync<Source extends { readonly type: string } = { readonly type: string }, Spec extends SyncSpec = SyncSpec> {
  readonly name: string | undefined
  readonly spec: Spec
  readonly source: Source
  readonly destination: Omit<Destination, "writeKeyEnv">
  readonly writeKey: Redacted.Redacted<string> | undefined
  readonly writeKeyEnv: string
  readonly pipeline: PipelineOptions
  readonly rejects: string | undefined
  /** Where the snapshots of an incremental sync live; undefined: the default SQLite file. */
  readonly state: StateConfig | undefined
  readonly baseDir: string
  /** Where the run's end is announced (`notify` / `--notify`); undefined: nowhere. */
  readonly notify?: AlertSettings | undefined
  /** The tracking plan every message is checked against before it is sent (`trackingPlan` / `--tracking-plan`). */
  readonly trackingPlan?: TrackingPlanSetting | undefined
}

/** A sync's tracking plan: the file (absolute) and what a violation does. */
export interface TrackingPlanSetting {
  readonly file: string
  /** `reject` (default): the row is rejected with its violations; `warn`: it is sent, the violations counted. */
  readonly mode: "reject" | "warn"
  /**
   * In `warn` mode, the JSONL file (absolute) every row sent with warnings is written to: `warnings`
   * / `--warnings`, else beside the rejects file (`rejects.jsonl` → `rejects.warnings.jsonl`);
   * undefined when neither is set (the report still counts them and names the first ones).
   */
  readonly warnings?: string | undefined
}

/** The warnings file beside a rejects file: `out/rejects.jsonl` → `out/rejects.warnings.jsonl`. */
export const warningsBesideRejects = (rejects: string): string => {
  const extension = /\.(jsonl|ndjson|json)$/i.exec(rejects)
  return extension === null ? `${rejects}.warnings.jsonl` : `${rejects.slice(0, extension.index)}.warnings${extension[0]}`
}

/** A sync of a config file, as read. */
export interface ConfigEntry {
  readonly name: string
  readonly value: Record<string, unknown>
  readonly file: string
}

export interface ResolveSyncInput<Source extends { readonly type: string }, Spec extends SyncSpec = SyncSpec> {
  /** The spec schema: core's SyncSpec unless a package extends it (the incremental package does). */
  readonly spec?: z.ZodType<Spec>
  readonly entry?: ConfigEntry
  readonly overrides: SyncOverrides
  readonly sources: SourceRegistry<Source>
  readonly env: Readonly<Record<string, string | undefined>>
  readonly cwd: string
  /** Flag names of spec and pipeline fields, for error messages. */
  readonly flagOf: Readonly<Record<string, string>>
  /** Whether a write key is needed (not for dry runs and previews). */
  readonly needsWriteKey: boolean
}

const defined = (record: Record<string, unknown>) => Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined))

/** Names each issue's place as both the config field and the flag that sets it. */
const describeIssues = (error: z.ZodError, where: string, flagOf: Readonly<Record<string, string>>): ConfigError => {
  const first = error.issues[0]
  const firstFlag = first === undefined ? undefined : flagOf[String(first.path[0])]
  const message = error.issues
    .flatMap((issue) =>
      issuePlaces(issue, where).map((field) => {
        const flag = flagOf[String(issue.path[0])]
        const place = [field, flag === undefined ? undefined : `--${flag}`].filter((part) => part !== undefined && part !== "").join(" / ")
        const text = issue.code === "unrecognized_keys" ? "unknown field" : issue.message
        return place === "" ? text : `${place}: ${text}`
      })
    )
    .join("\n")
  const field = first === undefined ? undefined : issuePlaces(first, where)[0]
  return new ConfigError({
    message,
    ...(field === undefined || field === "" ? {} : { field }),
    ...(firstFlag === undefined ? {} : { flag: firstFlag })
  })
}

/** The first field an error names, for ConfigError.field. */
const issuesError = (error: z.ZodError, where: string): ConfigError => {
  const first = error.issues[0]
  const field = first === undefined ? undefined : issuePlaces(first, where)[0]
  return new ConfigError({ message: formatIssues(error, where), ...(field === undefined || field === "" ? {} : { field }) })
}

/** The issues of a sync's frame and destination, in the order of an entry's fields, as one error. */
const entryFrameIssues = (frame: z.ZodError | undefined, destination: z.ZodError | undefined): z.ZodError | undefined => {
  if (frame === undefined && destination === undefined) return undefined
  const ofFrame = (keys: ReadonlyArray<string>) => (frame?.issues ?? []).filter((issue) => keys.includes(String(issue.path[0])))
  return new z.ZodError([
    ...ofFrame(["source", "state"]),
    ...(destination?.issues ?? []).map((issue) => ({ ...issue, path: ["destination", ...issue.path] })),
    ...ofFrame(["rejects", "trackingPlan", "trackingPlanMode", "warnings"])
  ])
}

/** A config entry must not hold a write key or a source's password. */
const refuseEntrySecrets = (where: string, destination: unknown, source: unknown): void => {
  if (typeof destination === "object" && destination !== null && "writeKey" in destination) {
    throw fieldError(
      `${where}.destination.writeKey`,
      "write keys do not belong in a config file; set SEGMENT_WRITE_KEY, or name another variable with destination.writeKeyEnv"
    )
  }
  if (typeof source === "object" && source !== null) {
    const raw = source as Record<string, unknown>
    refuseSecrets(raw, `${where}.source`, ["password", "privateKeyPassphrase"])
    if (typeof raw.url === "string" && urlHoldsPassword(raw.url)) {
      throw fieldError(`${where}.source.url`, "the URL holds a password, which does not belong in a config file; use urlEnv or passwordEnv")
    }
  }
}

/** The command line's source over the entry's: a whole one replaces it, `--table`/`--query` patch it. */
const mergeSource = (fromEntry: Record<string, unknown> | undefined, overrides: SyncOverrides): Record<string, unknown> | undefined => {
  const patch = overrides.sourcePatch
  if (overrides.source !== undefined) return overrides.source
  if (patch === undefined || fromEntry === undefined) {
    if (patch !== undefined)
      throw new ConfigError({
        message: "--table and --query need a warehouse (--postgres, --snowflake, --bigquery or --databricks) or --duckdb <paths>",
        flag: "table"
      })
    return fromEntry
  }
  return { ...Object.fromEntries(Object.entries(fromEntry).filter(([key]) => key !== "table" && key !== "query")), ...patch }
}

/** The sync's dbt model: the command line's over the entry's `dbt`; undefined when none is named. */
const dbtModelOf = (input: ResolveSyncInput<{ readonly type: string }>, where: string): DbtModelRef | undefined => {
  const raw = input.entry?.value.dbt
  const entry = raw === undefined ? undefined : DbtConfig.safeParse(raw)
  if (entry !== undefined && !entry.success) throw issuesError(entry.error, where === "" ? "dbt" : `${where}.dbt`)
  const fromFlags = input.overrides.dbt
  const model = fromFlags?.model ?? entry?.data?.model
  if (model === undefined) {
    if (fromFlags?.project !== undefined)
      throw new ConfigError({ message: "--dbt-project needs --dbt-model (the model to read)", flag: "dbt-project" })
    return undefined
  }
  const entryDir = input.entry === undefined ? input.cwd : path.dirname(path.resolve(input.cwd, input.entry.file))
  const project = fromFlags?.project ?? (entry?.data?.project === undefined ? input.cwd : path.resolve(entryDir, entry.data.project))
  return { model, project }
}

/** The source with the dbt model's relation filled in; a model named on the command line replaces the entry's table or query. */
const sourceWithDbt = async (
  input: ResolveSyncInput<{ readonly type: string }>,
  source: Record<string, unknown> | undefined,
  where: string
): Promise<Record<string, unknown> | undefined> => {
  const ref = dbtModelOf(input, where)
  if (ref === undefined) return source
  if (source === undefined) {
    throw new ConfigError({
      message: `--dbt-model ${ref.model} needs the warehouse that holds it: --postgres, --snowflake, --bigquery, --databricks or --duckdb${where === "" ? "" : `, or a "source" in ${where}`}`,
      flag: "dbt-model"
    })
  }
  const fromFlag = input.overrides.dbt?.model !== undefined && input.overrides.source === undefined
  const target = fromFlag
    ? Object.fromEntries(
        Object.entries(source).filter(([key]) => key !== "table" && key !== "query" && !(source.type === "duckdb" && key === "file"))
      )
    : source
  return withDbtRelation(target, ref)
}

/**
 * The write key from the command line or the destination's variable. Blanks around it are not part
 * of it, and a blank one is none given (an exported but empty variable): a dry run goes on without
 * one. A key given is checked once, by segment's one rule (`writeKeyProblem`), then the destination
 * with it, as the transport will take them.
 */
const writeKeyOf = (input: ResolveSyncInput<{ readonly type: string }>, destination: Omit<Destination, "writeKeyEnv">, writeKeyEnv: string) => {
  const keyText = (input.overrides.writeKey ?? input.env[writeKeyEnv])?.trim()
  if (keyText === undefined || keyText === "") {
    if (!input.needsWriteKey) return undefined
    throw new ConfigError({
      message: `no write key: set ${writeKeyEnv} (or pass --write-key; the environment keeps it out of your shell history)`,
      flag: "write-key"
    })
  }
  const writeKey = Redacted.make(keyText)
  const problem = writeKeyProblem(writeKey)
  if (problem !== undefined) throw fieldError("destination.writeKey", problem)
  const check = SegmentTransportOptions.safeParse({ ...destination, writeKey })
  if (!check.success) throw issuesError(check.error, "destination")
  return writeKey
}

/** The sync's tracking plan, its file resolved from the config file's folder; a mode needs a plan. */
const trackingPlanOf = (
  frame: {
    readonly trackingPlan?: string | undefined
    readonly trackingPlanMode?: "reject" | "warn" | undefined
    readonly rejects?: string | undefined
    readonly warnings?: string | undefined
  },
  baseDir: string,
  where: string
): TrackingPlanSetting | undefined => {
  if (frame.trackingPlan === undefined) {
    if (frame.trackingPlanMode === undefined) return undefined
    throw new ConfigError({
      message: `${where === "" ? "" : `${where}.trackingPlanMode / `}--tracking-plan-mode needs a tracking plan: give --tracking-plan <plan.json>${where === "" ? "" : ` or "trackingPlan" in ${where}`}`,
      flag: "tracking-plan-mode"
    })
  }
  const mode = frame.trackingPlanMode ?? "reject"
  const warnings = frame.warnings ?? (frame.rejects === undefined ? undefined : warningsBesideRejects(frame.rejects))
  return {
    file: path.resolve(baseDir, frame.trackingPlan),
    mode,
    ...(mode === "warn" && warnings !== undefined ? { warnings: path.resolve(baseDir, warnings) } : {})
  }
}

/**
 * Merges a config entry (if any) with the command line and checks the result with the one parser
 * of spec, pipeline and destination. Fails with a ConfigError naming the field
 * (`syncs.<name>.<field>`) or the flag at fault.
 */
export const resolveSync = async <Source extends { readonly type: string }, Spec extends SyncSpec = SyncSpec>(
  input: ResolveSyncInput<Source, Spec>
): Promise<ResolvedSync<Source, Spec>> => {
  const where = input.entry === undefined ? "" : `syncs.${input.entry.name}`
  const raw = input.entry?.value ?? {}
  const destinationRaw = (raw.destination ?? {}) as Record<string, unknown>
  const rawSource = raw.source as Record<string, unknown> | undefined
  refuseEntrySecrets(where, destinationRaw, rawSource)
  const source = await sourceWithDbt(input, mergeSource(rawSource, input.overrides), where)
  const frame = z
    .object({
      source: (await sourceEntrySchema(input.sources, source)).optional(),
      state: StateConfig.optional(),
      /** JSONL file for rejected rows, relative to the config file. */
      rejects: z.string().min(1).optional(),
      /** A Segment tracking plan (JSON), relative to the config file. */
      trackingPlan: z.string().min(1).optional(),
      trackingPlanMode: z.enum(["reject", "warn"]).optional(),
      /** JSONL file for the rows sent with tracking-plan warnings, relative to the config file. */
      warnings: z.string().min(1).optional()
    })
    .safeParse({
      source,
      state: input.overrides.state ?? raw.state,
      rejects: input.overrides.rejects ?? raw.rejects,
      trackingPlan: input.overrides.trackingPlan ?? raw.trackingPlan,
      trackingPlanMode: input.overrides.trackingPlanMode ?? raw.trackingPlanMode,
      warnings: input.overrides.warnings ?? raw.warnings
    })
  const parts = parseSyncParts(
    {
      spec: {
        // A config entry's name names its sync (reports, messageIds, checkpoints) unless it says otherwise.
        ...(input.entry === undefined ? {} : { name: input.entry.name }),
        ...Object.fromEntries(Object.entries(raw).filter(([key]) => !EntryFrameKeys.has(key))),
        ...defined(input.overrides.spec),
        ...(input.overrides.key === undefined ? {} : { key: input.overrides.key }),
        ...(input.overrides.incrementalPatch === undefined
          ? {}
          : { incremental: mergeIncremental(raw.incremental, input.overrides.incrementalPatch) })
      },
      pipeline: { ...((raw.pipeline ?? {}) as object), ...defined(input.overrides.pipeline) },
      destination: { ...destinationRaw, ...defined(input.overrides.destination) }
    },
    input.spec === undefined ? {} : { spec: input.spec }
  )
  const frameIssues = entryFrameIssues(frame.error, parts.destination?.error)
  if (frameIssues !== undefined || !frame.success) throw issuesError(frameIssues ?? frame.error!, where)
  if (!parts.spec.success) throw describeIssues(parts.spec.error, where, input.flagOf)
  if (!parts.pipeline.success) throw describeIssues(parts.pipeline.error, where === "" ? "" : `${where}.pipeline`, input.flagOf)
  if (frame.data.source === undefined) {
    throw new ConfigError({
      message: `no source: give --file <path.csv|.parquet|.ndjson>, or --postgres <url|env> / --snowflake <account|env> / --bigquery <project|env> with --table or --query, or --duckdb <paths> with --query${input.entry === undefined ? "" : `, or a "source" in ${where}`} (sources: ${Object.keys(input.sources).join(", ")})`,
      ...(input.entry === undefined ? { flag: "file" } : { field: `${where}.source` })
    })
  }
  const { writeKeyEnv, ...destination } = parts.destination!.data!
  const notify = resolveNotify(raw.notify, input.overrides.notify, input.env, where)
  const baseDir = input.entry === undefined ? input.cwd : path.dirname(path.resolve(input.cwd, input.entry.file))
  const trackingPlan = trackingPlanOf(frame.data, baseDir, where)
  return {
    name: input.entry?.name,
    spec: parts.spec.data,
    source: frame.data.source,
    destination,
    writeKey: writeKeyOf(input, destination, writeKeyEnv),
    writeKeyEnv,
    pipeline: parts.pipeline.data,
    rejects: frame.data.rejects,
    state: frame.data.state,
    baseDir,
    ...(notify === undefined ? {} : { notify }),
    ...(trackingPlan === undefined ? {} : { trackingPlan })
  }
}
