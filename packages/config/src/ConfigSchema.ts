import { EnvName } from "@tablecast/core"
import * as z from "zod"

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
          schema: z
            .string()
            .regex(/^[A-Za-z_][\w$]*$/, "a schema name: letters, digits, _ and $")
            .optional()
        })
        .strict()
    })
    .strict()
])
export type StateConfig = z.output<typeof StateConfig>

/**
 * The run history of the syncs of a config file: `false` records nothing; an object bounds how
 * many runs are kept, and for how long.
 */
export const HistoryConfig = z.union([
  z.boolean(),
  z
    .object({
      enabled: z.boolean().optional(),
      maxRuns: z.number().int().min(1).optional(),
      maxAgeDays: z.number().positive().optional()
    })
    .strict()
])
export type HistoryConfig = z.output<typeof HistoryConfig>

/** A config file: named syncs, and how their runs are recorded. */
export const ConfigFile = z
  .object({
    $schema: z.string().optional(),
    history: HistoryConfig.optional(),
    syncs: z.record(z.string().regex(/^[\w.-]+$/, "sync names use letters, digits, '.', '_' and '-'"), z.record(z.string(), z.unknown()))
  })
  .strict()
export type ConfigFile = z.output<typeof ConfigFile>

/** The fields of a sync entry that are not the sync spec's; every other field belongs to the spec. */
export const EntryFrameKeys: ReadonlySet<string> = new Set([
  "source",
  "state",
  "destination",
  "pipeline",
  "rejects",
  "notify",
  "dbt",
  "trackingPlan",
  "trackingPlanMode",
  "warnings"
])

/** A sync's dbt model (`"dbt": {"model": "churn_scores", "project": "../analytics"}`): the source's table is that model's relation. */
export const DbtConfig = z
  .object({
    /** The model: `name`, `package.name`, or a unique id (`model.pkg.name`); `.v2` picks a version. */
    model: z.string().min(1),
    /** The dbt project folder (holding target/manifest.json) or the manifest file, relative to the config file; default: the current folder. */
    project: z.string().min(1).optional()
  })
  .strict()
export type DbtConfig = z.output<typeof DbtConfig>
