import { once } from "node:events"
import path from "node:path"
import { Args, Flags } from "@oclif/core"
import { ConfigError, type DbtModel, findDbtModel, proposeSync, sourceEntrySchema, withDbtColumnDocs } from "@tablecast/config"
import { loadDbtManifest, withDbtRelation } from "@tablecast/config/node"
import { formatIssues, type SourceError } from "@tablecast/core"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import { BaseCommand } from "../BaseCommand.ts"
import { inspectedEntrySource } from "../ConfigEntry.ts"
import { dbtModelsPieces } from "../DbtModelsText.ts"
import { descriptionText, proposedSyncName, tablesText } from "../InspectText.ts"
import { checkOutput } from "../OutputFiles.ts"
import { givenSettings, writeProposal } from "../ProposalFile.ts"
import { runEffect } from "../RunEffect.ts"
import { adapterOf } from "../sources/SourceRegistry.ts"
import { StartError } from "../StartError.ts"
import { sourceRegistry } from "../SyncConfig.ts"
import { mappingFlags, mappingOverrides } from "../SyncFlags.ts"

/** The text of whatever stopped an inspection. */
const messageOf = (error: unknown): string =>
  error instanceof Error || (typeof error === "object" && error !== null && "message" in error)
    ? String((error as { message: unknown }).message)
    : String(error)

/** The source with a dbt model's relation filled in (`--dbt-model`), and the model, whose docs weigh in the proposal. */
const withDbtModel = async (
  source: { readonly raw: Record<string, unknown>; readonly baseDir: string },
  dbt: { readonly model?: string; readonly project?: string } | undefined
): Promise<{ readonly raw: Record<string, unknown>; readonly baseDir: string; readonly model?: DbtModel }> => {
  if (dbt?.model === undefined) return source
  const project = dbt.project ?? process.cwd()
  const manifest = await loadDbtManifest(project, dbt.model)
  const model = findDbtModel(manifest, dbt.model)
  const { table: _table, query: _query, ...rest } = source.raw
  return { ...source, raw: await withDbtRelation(rest, { model: dbt.model, project }, manifest), model }
}

/** Inspecting reads the source: whatever stops it (a defect too) is the source's failure, exit 6. */
const inspecting = <A>(effect: Effect.Effect<A, SourceError>): Promise<A> =>
  runEffect(effect.pipe(Effect.catchCause((cause) => Effect.fail(new StartError({ message: messageOf(Cause.squash(cause)) })))))

export default class InspectCommand extends BaseCommand {
  static override summary = "Show a source's tables, or a table's columns, types and samples, and propose a sync."

  static override description =
    `For a warehouse connection without --table or --query, lists the tables it can read. For a file, a table or a query, lists its columns with their types, whether they hold empty values or repeats, a few sample values, and proposes a sync: the likely customer-id column (unique, non-null, id-like name), a timestamp column, and the other columns as properties with their types; for a table of accounts (a unique, non-null account_id, company_id, org_id or group_id), group calls with that group id and the other columns as traits; identify,group calls when the names tell a user's columns from an account's: for a table of members with a never-empty account id, the account's columns (account_*, company_*, org_*, industry, employees) as group traits (--group-traits), for a table of accounts, its owner's columns (owner_*, user_*) as identify traits. --write-config writes that proposal as a config entry to edit.

With --tracking-plan, proposes a sync that satisfies the plan where the columns allow it: the event of the TRACK rule the columns cover best (the others listed), each planned property from the column of its name or of its name but for case, underscores and spaces (renamed), and what cannot fit: a property whose column has another type, a required property no column supplies; --write-config writes the plan's file as the sync's trackingPlan.

With --dbt-project alone, lists the dbt project's models with their descriptions and column docs; with a warehouse and --dbt-model, inspects the model's table, and a column dbt tests unique and not_null is preferred as the customer id.

Files are scanned (--scan-rows, default 100,000 rows) to judge types and uniqueness; warehouses say their types, and read only --samples rows.

Exit codes (docs/exit-codes.md): 0 inspected; 1 internal error; 2 bad flags or config, or --write-config names a sync the file already has; 6 the source failed; 11 the --write-config file cannot be written.`

  static override examples = [
    { description: "Columns of a CSV file, and a proposed sync", command: "<%= config.bin %> <%= command.id %> --file churn_scores.csv" },
    { description: "Tables of a Postgres database (PG* variables)", command: "<%= config.bin %> <%= command.id %> --postgres env" },
    {
      description: "A table's columns; write the proposal into tablecast.config.json",
      command: "<%= config.bin %> <%= command.id %> --postgres env --table analytics.churn_scores --write-config tablecast.config.json"
    },
    { description: "Tables of a Snowflake account (SNOWFLAKE_* variables)", command: "<%= config.bin %> <%= command.id %> --snowflake env" },
    {
      description: "The models of the dbt project in the current folder, with their column docs",
      command: "<%= config.bin %> <%= command.id %> --dbt-project ."
    },
    {
      description: "A dbt model's table in Postgres; dbt's unique/not_null tests pick the customer id",
      command: "<%= config.bin %> <%= command.id %> --dbt-model churn_scores --postgres env"
    },
    {
      description: "A Parquet file, with a proposed sync written to a config file",
      command: "<%= config.bin %> <%= command.id %> -f scores.parquet --write-config tablecast.config.json"
    }
  ]

  static override args = {
    sync: Args.string({ description: "Name of a sync in the config file, to inspect its source.", required: false })
  }

  static override flags = {
    config: mappingFlags.config,
    file: mappingFlags.file,
    delimiter: mappingFlags.delimiter,
    postgres: mappingFlags.postgres,
    snowflake: mappingFlags.snowflake,
    duckdb: mappingFlags.duckdb,
    bigquery: mappingFlags.bigquery,
    databricks: mappingFlags.databricks,
    "bigquery-location": mappingFlags["bigquery-location"],
    "bigquery-max-bytes-billed": mappingFlags["bigquery-max-bytes-billed"],
    "bigquery-api-endpoint": mappingFlags["bigquery-api-endpoint"],
    table: mappingFlags.table,
    query: mappingFlags.query,
    "dbt-model": mappingFlags["dbt-model"],
    "dbt-project": mappingFlags["dbt-project"],
    samples: Flags.integer({ summary: "Sample values per column.", default: 3, min: 0, max: 100 }),
    "scan-rows": Flags.integer({ summary: "Rows of a file read to judge types and uniqueness.", default: 100_000, min: 1 }),
    "write-config": Flags.string({ summary: "Write the proposed sync into this config file (created, or added to)." }),
    "tracking-plan": Flags.string({
      summary:
        "Propose a sync that satisfies this tracking plan (Segment's Public API rules, or a Config API export): its event, the columns that supply its properties (renamed where the names differ), what cannot fit."
    }),
    name: Flags.string({ summary: "Name of the sync written by --write-config (default: from the table or file name)." }),
    json: Flags.boolean({ summary: "Print the inspection as JSON; a failure is a JSON object on stdout too." })
  }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(InspectCommand)
    // Before the source is read: the config file to write can be written (never through a link).
    if (flags["write-config"] !== undefined) await checkOutput({ flag: "--write-config", path: flags["write-config"], mode: "replace" })
    const overrides = mappingOverrides(flags)
    // Read before the source: a plan that cannot be read is the user's to fix first.
    // Loaded only when asked: a plain inspection never loads the tracking-plan code.
    const planTools =
      flags["tracking-plan"] === undefined
        ? undefined
        : await Promise.all([import("../TrackingPlanFile.ts"), import("../TrackingPlanProposal.ts")])
    const plan = planTools === undefined ? undefined : await planTools[0].readTrackingPlanFile(flags["tracking-plan"]!, "--tracking-plan")
    // A dbt project without a warehouse to read: its models, from the manifest alone.
    if (overrides.dbt !== undefined && overrides.source === undefined && args.sync === undefined && flags.config === undefined) {
      const manifest = await loadDbtManifest(overrides.dbt.project ?? process.cwd(), overrides.dbt.model)
      const models = overrides.dbt.model === undefined ? manifest.models : [findDbtModel(manifest, overrides.dbt.model)]
      // A model at a time, waiting for the terminal or pipe to take each: the listing is never one string.
      for (const piece of dbtModelsPieces(models, flags.json)) if (!process.stdout.write(piece)) await once(process.stdout, "drain")
      process.stdout.write("\n")
      return
    }
    const entrySource = await (overrides.source === undefined
      ? inspectedEntrySource({ syncName: args.sync, configFile: flags.config, sourcePatch: overrides.sourcePatch })
      : { raw: overrides.source, baseDir: process.cwd() })
    // The command line's model or project over the entry's dbt field.
    const entryDbt = "dbt" in entrySource ? entrySource.dbt : undefined
    const dbt = overrides.dbt === undefined && entryDbt === undefined ? undefined : { ...entryDbt, ...overrides.dbt }
    const { raw, baseDir, model } = await withDbtModel(entrySource, dbt)
    // A dbt model's table is written as the model (the entry follows it when dbt moves it), not as the table it resolved to.
    const givenRaw = model === undefined ? raw : entrySource.raw
    const parsed = (await sourceEntrySchema(sourceRegistry, raw)).safeParse(raw)
    if (!parsed.success) throw new ConfigError({ message: formatIssues(parsed.error, "source") })
    const source = parsed.data
    const adapter = await adapterOf(source)

    // A connection alone (no table, no query): its tables.
    const readsFrom = adapter.readsFrom(source)
    if (readsFrom === undefined && adapter.listTables !== undefined) {
      this.log(tablesText(await inspecting(adapter.listTables(source, process.env)), source.type, flags.json))
      return
    }
    const description = await inspecting(adapter.describe(source, baseDir, process.env, { samples: flags.samples, scanRows: flags["scan-rows"] }))
    const tableName = model?.name ?? readsFrom ?? "query"
    const facts = model === undefined ? description : { columns: withDbtColumnDocs(description.columns, model) }
    const proposedFromTable = proposeSync(facts, tableName)
    const proposal =
      plan === undefined
        ? proposedFromTable
        : planTools![1].proposeForPlan({ columns: facts.columns, base: proposedFromTable, plan, file: flags["tracking-plan"]! })
    const name = flags.name ?? proposedSyncName(tableName)
    this.log(descriptionText(description, name, proposal, flags.json))
    if (flags["write-config"] !== undefined) {
      const notices = await writeProposal({
        given: flags["write-config"],
        name,
        proposal,
        // Only the settings given (by flags or the config entry inspected): a default filled in here
        // may have been decided by this machine (a CSV worker thread by its cores), not by the data.
        entryIn: (folder) => adapter.configEntry(givenSettings(source, givenRaw), baseDir, folder),
        fieldsIn: (folder: string) => ({
          ...(model === undefined || overrides.dbt === undefined
            ? {}
            : { dbt: { model: overrides.dbt.model, project: path.relative(folder, overrides.dbt.project ?? process.cwd()) || "." } }),
          // The plan the sync is checked against, where the config file finds it.
          ...(flags["tracking-plan"] === undefined ? {} : { trackingPlan: path.relative(folder, path.resolve(flags["tracking-plan"])) })
        })
      })
      for (const notice of notices) this.logToStderr(notice)
    }
  }
}
