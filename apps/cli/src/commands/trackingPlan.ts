import path from "node:path"
import { Args, Flags } from "@oclif/core"
import { findDbtModel } from "@tablecast/config"
import { loadDbtManifest } from "@tablecast/config/node"
import { callsOf } from "@tablecast/core"
import * as Effect from "effect/Effect"
import { BaseCommand } from "../BaseCommand.ts"
import { configEntryOf } from "../ConfigEntry.ts"
import { applyLowMemory } from "../LowMemory.ts"
import { checkOutput, writeFileAtomically } from "../OutputFiles.ts"
import { runEffect } from "../RunEffect.ts"
import { runOnSource } from "../RunSync.ts"
import { adapterOf } from "../sources/SourceRegistry.ts"
import type { ResolvedSync } from "../SyncConfig.ts"
import { mappingFlags, mappingOverrides } from "../SyncFlags.ts"
import { terminalJson, terminalText } from "../TerminalText.ts"
import { sampleRowsForPlan } from "../TrackingPlanSampling.ts"
import { CLI_LIBRARY } from "../Version.ts"
import { type WrittenPlan, writeTrackingPlan } from "../TrackingPlanWriter.ts"

/** One line per rule: what it holds, for stderr. */
const summaryLines = (plan: WrittenPlan): ReadonlyArray<string> =>
  plan.rules.map((rule) => {
    const payload = Object.values(
      (rule.jsonSchema.properties ?? {}) as Record<string, { properties?: object; required?: ReadonlyArray<string> }>
    )[0]
    const count = Object.keys(payload?.properties ?? {}).length
    const required = payload?.required?.length ?? 0
    const name = rule.key === undefined ? rule.type : `${rule.type} ${JSON.stringify(rule.key)}`
    return `  - ${name}: ${count} properties, ${required} required`
  })

/** The columns the sync's dbt model tests not_null (the command line's model over the config entry's `dbt`). */
const dbtNotNull = async (
  dbt: { readonly model?: string; readonly project?: string } | undefined,
  entry: { readonly syncName: string | undefined; readonly configFile: string | undefined }
): Promise<ReadonlyArray<string>> => {
  const cwd = process.cwd()
  const config = await configEntryOf({ ...entry, cwd })
  const entryDbt = config?.value.dbt as { readonly model?: string; readonly project?: string } | undefined
  const model = dbt?.model ?? entryDbt?.model
  if (model === undefined) return []
  const entryDir = config === undefined ? cwd : path.dirname(path.resolve(cwd, config.file))
  const project = dbt?.project ?? (entryDbt?.project === undefined ? cwd : path.resolve(entryDir, entryDbt.project))
  return findDbtModel(await loadDbtManifest(project, model), model)
    .columns.filter((column) => column.checks.includes("not_null"))
    .map((column) => column.name)
}

/** The columns the source declares NOT NULL or the sync's dbt model tests not_null: required even where no row was read. */
const declaredNotNull = async (
  sync: ResolvedSync,
  columns: ReadonlyArray<{ readonly column: string }>,
  entry: Parameters<typeof dbtNotNull>[1] & { readonly dbt: Parameters<typeof dbtNotNull>[0]; readonly scanRows: number }
): Promise<ReadonlySet<string>> => {
  const adapter = await adapterOf(sync.source)
  const description = await runEffect(
    adapter
      .describe(sync.source, sync.baseDir, process.env, { samples: 0, scanRows: entry.scanRows })
      .pipe(Effect.catch(() => Effect.succeed(undefined)))
  )
  // dbt names a column as its model's SQL does; the warehouse may case it otherwise (Snowflake).
  const testedNotNull = new Set((await dbtNotNull(entry.dbt, entry)).map((name) => name.toLowerCase()))
  return new Set(
    columns
      .map((line) => line.column)
      .filter(
        (column) =>
          testedNotNull.has(column.toLowerCase()) ||
          description?.columns.some((described) => described.name === column && described.nullable === false) === true
      )
  )
}

export default class TrackingPlanCommand extends BaseCommand {
  static override summary = "Write a tracking plan from a sync's mapping and its columns' types, for a team that has none yet."

  static override description =
    `Reads the first rows of the source (--sample-rows) and maps them as the sync would, then writes a tracking plan in Segment's Public API rules format: one rule per call the sync makes (TRACK with its event, IDENTIFY or GROUP for traits), a draft-07 JSON Schema per rule. Each property's type comes from its column's type as the sync sends it (declared in the sync, the warehouse's declared type, or a file's type decided from its first rows): number, integer, string, boolean, array or object. A property is required when its column is never empty in the rows read (or, with no row read, when the source declares it NOT NULL or the dbt model tests it not_null); a column with empty values allows null. --enum-max N lists the values of text columns with at most N distinct values as an enum.

The plan it writes passes the sync's own messages: \`tablecast sync --tracking-plan <plan>\` then stops a later run whose model renamed a column or changed its type. Sends nothing.

Exit codes (docs/exit-codes.md): 0 written; 1 internal error; 2 bad flags or config; 6 the source failed; 11 the --out file cannot be written.`

  static override examples = [
    {
      description: "A plan for a churn-scores file's track calls, written to plan.json",
      command: '<%= config.bin %> <%= command.id %> -f churn_scores.csv -e "Churn Scored" -u customer_id --out plan.json'
    },
    {
      description: "A plan for a sync of the config file, with enums for text columns of up to 10 values",
      command: "<%= config.bin %> <%= command.id %> churn-scores --enum-max 10 --out plan.json"
    }
  ]

  static override args = {
    sync: Args.string({ description: "Name of a sync in the config file.", required: false })
  }

  static override flags = {
    ...mappingFlags,
    out: Flags.string({ char: "o", summary: "Write the plan to this file (default: stdout).", helpGroup: "OUTPUT" }),
    "sample-rows": Flags.integer({
      summary: "Rows read to judge which properties are never empty and which values a text column holds (default 10,000).",
      default: 10_000,
      min: 1,
      // Only aggregates are kept (memory is flat in the sample): a bound on time.
      max: 100_000
    }),
    "enum-max": Flags.integer({
      summary: "Give text columns with at most this many distinct values (in the rows read) an enum of those values.",
      min: 1,
      max: 1000
    })
  }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(TrackingPlanCommand)
    if (flags.out !== undefined) await checkOutput({ flag: "--out", path: flags.out, mode: "replace" })
    const resolved = await this.resolve({
      syncName: args.sync,
      configFile: flags.config,
      overrides: { ...mappingOverrides(flags), destination: {}, pipeline: {} },
      needsWriteKey: false
    })
    // A sample of at most 100,000 rows gains little from a CSV worker thread and costs its memory (~25 MiB):
    // a CSV file is read on one thread unless --worker asks for the worker (a source's default would give it one).
    const sync = resolved.source.type === "csv" && flags.worker !== true ? await applyLowMemory(resolved, undefined) : resolved
    const sampleRows = flags["sample-rows"]
    // The plan being written describes the rows as they are: a plan the sync already has does not filter them.
    const sampled = await runOnSource(
      sync,
      sampleRowsForPlan({ spec: sync.spec, rows: sampleRows, enumMax: flags["enum-max"], library: CLI_LIBRARY })
    )
    // What the source and the dbt model declare never empty counts only for a call no row was sampled for:
    // asked for then alone (describing a file reads its rows again, holding every distinct value).
    const unsampled = callsOf(sync.spec.type).some((call) => sampled.sample.messages[call] === 0)
    const notNull = unsampled
      ? await declaredNotNull(sync, sampled.columnTypes, {
          dbt: mappingOverrides(flags).dbt,
          syncName: args.sync,
          configFile: flags.config,
          scanRows: sampleRows
        })
      : new Set<string>()
    const plan = writeTrackingPlan({
      spec: sync.spec,
      columns: sampled.columnTypes,
      sample: sampled.sample,
      notNull,
      enumMax: flags["enum-max"]
    })
    const json = `${JSON.stringify(plan, null, 2)}\n`
    if (sampled.firstReject !== undefined) {
      const first = sampled.firstReject
      this.logToStderr(
        terminalText(
          `tablecast: warning: ${sampled.rejected} of the ${sampled.rowsRead} rows read would be rejected by the sync itself (row ${first.row}: ${first.reason}); the plan describes the others`
        )
      )
    }
    if (flags.out === undefined) {
      this.log(terminalJson(json.trimEnd()))
      return
    }
    await writeFileAtomically(flags.out, json)
    this.logToStderr(`wrote the tracking plan to ${terminalText(flags.out)} from ${sampled.rowsRead} rows:`)
    for (const line of summaryLines(plan)) this.logToStderr(terminalText(line))
  }
}
