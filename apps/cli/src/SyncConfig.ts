import { readFile } from "node:fs/promises"
import path from "node:path"
import { EnvName, formatIssues, issuePlaces, PipelineOptions, refuseSecrets, SyncSpec, urlHoldsPassword } from "@tablecast/core"
import { SegmentTransportOptions } from "@tablecast/segment"
import * as Redacted from "effect/Redacted"
import * as z from "zod"
import { type LoadedSourceAdapter, type SourceConfig, sourceConfigSchema, sourceTypes } from "./sources/SourceRegistry.ts"
import { UsageError } from "./UsageError.ts"

/** Where batches go. The write key itself is never in a file: only the name of its variable. */
export const Destination = z
  .object({
    region: z.enum(["us", "eu"]).optional(),
    endpoint: z.string().min(1).optional(),
    /** The environment variable holding the write key. */
    writeKeyEnv: EnvName.default("SEGMENT_WRITE_KEY"),
    gzip: z.boolean().optional(),
    timeoutMillis: z.number().int().min(1).optional(),
    connections: z.number().int().min(1).max(256).optional()
  })
  .strict()
export type Destination = z.output<typeof Destination>

/**
 * Where an incremental sync keeps its snapshots: a SQLite file (the default, one per project), or
 * Postgres for runs from several machines (connection as for a Postgres source, never a password).
 */
export const StateConfig = z.union([
  z.object({ sqlite: z.string().min(1) }).strict(),
  z
    .object({
      postgres: z
        .object({
          url: z.string().min(1).optional(),
          urlEnv: EnvName.optional(),
          passwordEnv: EnvName.optional(),
          schema: z.string().regex(/^[A-Za-z_][\w$]*$/, "a schema name: letters, digits, _ and $").optional()
        })
        .strict()
    })
    .strict()
])
export type StateConfig = z.output<typeof StateConfig>

/** The non-spec fields of a sync entry; every other field belongs to the sync spec. */
const entryFrame = (source: z.ZodType<SourceConfig>) =>
  z.object({
    source: source.optional(),
    state: StateConfig.optional(),
    destination: Destination.default({ writeKeyEnv: "SEGMENT_WRITE_KEY" }),
    pipeline: z.record(z.string(), z.unknown()).default({}),
    /** JSONL file for rejected rows, relative to the config file. */
    rejects: z.string().min(1).optional()
  })

const FRAME_KEYS = new Set(["source", "state", "destination", "pipeline", "rejects"])

/** A config file: named syncs. */
export const ConfigFile = z
  .object({
    $schema: z.string().optional(),
    syncs: z.record(z.string().regex(/^[\w.-]+$/, "sync names use letters, digits, '.', '_' and '-'"), z.record(z.string(), z.unknown()))
  })
  .strict()

/** A sync ready to run: checked spec, source, destination and pipeline, with the write key. */
export interface ResolvedSync {
  readonly name: string | undefined
  readonly spec: SyncSpec
  readonly source: SourceConfig
  readonly destination: Omit<Destination, "writeKeyEnv">
  readonly writeKey: Redacted.Redacted<string> | undefined
  readonly writeKeyEnv: string
  readonly pipeline: PipelineOptions
  readonly rejects: string | undefined
  /** Where the snapshots of an incremental sync live; undefined: the default SQLite file. */
  readonly state: StateConfig | undefined
  readonly baseDir: string
}

/** What the command line says about a sync; each field overrides the config entry's. */
export interface SyncOverrides {
  /** A whole source, replacing the config entry's. */
  readonly source?: Record<string, unknown>
  /** Fields merged into the config entry's source (`--table`, `--query`). */
  readonly sourcePatch?: Record<string, unknown>
  readonly spec: Record<string, unknown>
  readonly destination: Record<string, unknown>
  readonly pipeline: Record<string, unknown>
  readonly rejects?: string
  readonly writeKey?: string
  /** Key columns (`--key`): they make the sync incremental. */
  readonly key?: ReadonlyArray<string>
  /** Fields merged into the sync's `incremental` settings (`--mode`, `--tolerance`, ...). */
  readonly incrementalPatch?: Record<string, unknown>
  readonly state?: StateConfig
}

/** The command line's incremental settings over the config entry's, field by field (the guard too). */
const mergeIncremental = (fromConfig: unknown, patch: Record<string, unknown>): unknown => {
  if (fromConfig === false) return fromConfig
  const base = typeof fromConfig === "object" && fromConfig !== null ? (fromConfig as Record<string, unknown>) : {}
  const guard = { ...((base.guard ?? {}) as object), ...((patch.guard ?? {}) as object) }
  const removed = { ...((base.removed ?? {}) as object), ...((patch.removed ?? {}) as object) }
  return {
    ...base,
    ...patch,
    ...(Object.keys(guard).length === 0 ? {} : { guard }),
    ...(Object.keys(removed).length === 0 ? {} : { removed })
  }
}

const defined = (record: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined))

export const loadConfigFile = async (file: string): Promise<z.output<typeof ConfigFile>> => {
  let text: string
  try {
    text = await readFile(file, "utf8")
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new UsageError(`cannot read the config file ${file}${code === "ENOENT" ? ": no such file" : ` (${code})`}`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new UsageError(`the config file ${file} is not valid JSON: ${(error as Error).message}`)
  }
  const parsed = ConfigFile.safeParse(json)
  if (!parsed.success) throw new UsageError(`the config file ${file} is not valid:\n${formatIssues(parsed.error)}`)
  return parsed.data
}

/** Names each issue's place as both the config field and the flag that sets it. */
const describeIssues = (error: z.ZodError, where: string, flagOf: Readonly<Record<string, string>>): string =>
  error.issues
    .flatMap((issue) =>
      issuePlaces(issue, where).map((field) => {
        const flag = flagOf[String(issue.path[0])]
        const place = [field, flag === undefined ? undefined : `--${flag}`].filter((part) => part !== undefined && part !== "").join(" / ")
        const message = issue.code === "unrecognized_keys" ? "unknown field" : issue.message
        return place === "" ? message : `${place}: ${message}`
      })
    )
    .join("\n")

/**
 * Merges a config entry (if any) with the command line and checks the result. Errors name the
 * field (`syncs.<name>.<field>`) or the flag at fault.
 */
export const resolveSync = (input: {
  readonly entry?: { readonly name: string; readonly value: Record<string, unknown>; readonly file: string }
  readonly overrides: SyncOverrides
  readonly env: NodeJS.ProcessEnv
  readonly cwd: string
  /** Flag names of spec fields, for error messages. */
  readonly flagOf: Readonly<Record<string, string>>
  /** Whether a write key is needed (not for dry runs and previews). */
  readonly needsWriteKey: boolean
  /** The adapter of the source the entry or the command line names, loaded (sources/SourceRegistry.ts). */
  readonly sourceAdapters: ReadonlyArray<LoadedSourceAdapter>
}): ResolvedSync => {
  const where = input.entry === undefined ? "" : `syncs.${input.entry.name}`
  const raw = input.entry?.value ?? {}
  const destinationRaw = (raw.destination ?? {}) as Record<string, unknown>
  if (typeof destinationRaw === "object" && destinationRaw !== null && "writeKey" in destinationRaw) {
    throw new UsageError(
      `${where}.destination.writeKey: write keys do not belong in a config file; set SEGMENT_WRITE_KEY, or name another variable with destination.writeKeyEnv`
    )
  }
  const rawSource = raw.source as Record<string, unknown> | undefined
  if (typeof rawSource === "object" && rawSource !== null) {
    refuseSecrets(rawSource, `${where}.source`, ["password", "privateKeyPassphrase"])
    if (typeof rawSource.url === "string" && urlHoldsPassword(rawSource.url)) {
      throw new UsageError(`${where}.source.url: the URL holds a password, which does not belong in a config file; use urlEnv or passwordEnv`)
    }
  }
  const sourcePatch = input.overrides.sourcePatch
  const source =
    input.overrides.source ??
    (sourcePatch !== undefined && rawSource !== undefined
      ? { ...Object.fromEntries(Object.entries(rawSource).filter(([key]) => key !== "table" && key !== "query")), ...sourcePatch }
      : rawSource)
  if (sourcePatch !== undefined && source === undefined) throw new UsageError("--table and --query need a warehouse: give --postgres or --snowflake")
  const frame = entryFrame(sourceConfigSchema(input.sourceAdapters)).safeParse({
    ...raw,
    source,
    state: input.overrides.state ?? raw.state,
    destination: { ...destinationRaw, ...defined(input.overrides.destination) },
    pipeline: { ...((raw.pipeline ?? {}) as object), ...defined(input.overrides.pipeline) },
    rejects: input.overrides.rejects ?? raw.rejects
  })
  if (!frame.success) throw new UsageError(formatIssues(frame.error, where))

  const specInput = {
    // A config entry's name names its sync (reports, messageIds, checkpoints) unless it says otherwise.
    ...(input.entry === undefined ? {} : { name: input.entry.name }),
    ...Object.fromEntries(Object.entries(raw).filter(([key]) => !FRAME_KEYS.has(key))),
    ...defined(input.overrides.spec),
    ...(input.overrides.key === undefined ? {} : { key: input.overrides.key }),
    ...(input.overrides.incrementalPatch === undefined ? {} : { incremental: mergeIncremental(raw.incremental, input.overrides.incrementalPatch) })
  }
  const spec = SyncSpec.safeParse(specInput)
  if (!spec.success) throw new UsageError(describeIssues(spec.error, where, input.flagOf))
  const pipeline = PipelineOptions.safeParse(frame.data.pipeline)
  if (!pipeline.success) throw new UsageError(describeIssues(pipeline.error, where === "" ? "" : `${where}.pipeline`, input.flagOf))
  if (frame.data.source === undefined) {
    throw new UsageError(
      `no source: give --file <path.csv>, or --postgres <url|env> / --snowflake <account|env> with --table or --query${input.entry === undefined ? "" : `, or a "source" in ${where}`} (sources: ${sourceTypes.join(", ")})`
    )
  }

  const { writeKeyEnv, ...destination } = frame.data.destination
  const keyText = input.overrides.writeKey ?? input.env[writeKeyEnv]
  const writeKey = keyText === undefined || keyText.trim() === "" ? undefined : Redacted.make(keyText.trim())
  if (writeKey === undefined && input.needsWriteKey) {
    throw new UsageError(`no write key: set ${writeKeyEnv} (or pass --write-key; the environment keeps it out of your shell history)`)
  }
  if (writeKey !== undefined) {
    const check = SegmentTransportOptions.safeParse({ ...destination, writeKey })
    if (!check.success) throw new UsageError(formatIssues(check.error, "destination"))
  }
  return {
    name: input.entry?.name,
    spec: spec.data,
    source: frame.data.source,
    destination,
    writeKey,
    writeKeyEnv,
    pipeline: pipeline.data,
    rejects: frame.data.rejects,
    state: frame.data.state,
    baseDir: input.entry === undefined ? input.cwd : path.dirname(path.resolve(input.cwd, input.entry.file))
  }
}
