import { existsSync } from "node:fs"
import { readFile } from "node:fs/promises"
import path from "node:path"
import { Args, Flags } from "@oclif/core"
import { proposeSync } from "@tablecast/config"
import { loadConfigFile } from "@tablecast/config/node"
import { formatIssues, type SourceDescription } from "@tablecast/core"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Cause from "effect/Cause"
import { BaseCommand, DEFAULT_CONFIG_FILE } from "../BaseCommand.ts"
import { ExitCode } from "../ExitCode.ts"
import { adapterOf, adaptersFor, sourceConfigSchema } from "../sources/SourceRegistry.ts"
import { mappingFlags, mappingOverrides } from "../SyncFlags.ts"
import { UsageError } from "../UsageError.ts"
import { terminalJson, terminalText } from "../TerminalText.ts"
import { checkOutput, OutputLocationError, writeFileAtomically } from "../OutputFiles.ts"

const show = (value: unknown): string => {
  const text = typeof value === "string" ? value : JSON.stringify(value)
  return text.length > 24 ? `${text.slice(0, 23)}…` : text
}

const pad = (rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)))
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd()).join("\n")
}

const yesNo = (value: boolean | undefined) => (value === undefined ? "?" : value ? "yes" : "no")

export default class InspectCommand extends BaseCommand {
  static override summary = "Show a source's tables, or a table's columns, types and samples, and propose a sync."

  static override description = `For a warehouse connection without --table or --query, lists the tables it can read. For a file, a table or a query, lists its columns with their types, whether they hold empty values or repeats, a few sample values, and proposes a sync: the likely customer-id column (unique, non-null, id-like name), a timestamp column, and the other columns as properties with their types. --write-config writes that proposal as a config entry to edit.

Files are scanned (--scan-rows, default 100,000 rows) to judge types and uniqueness; warehouses say their types, and read only --samples rows.

Exit codes (docs/exit-codes.md): 0 inspected; 1 internal error; 2 bad flags or config, or --write-config names a sync the file already has; 6 the source failed; 11 the --write-config file cannot be written.`

  static override examples = [
    { description: "Columns of a CSV file, and a proposed sync", command: "<%= config.bin %> <%= command.id %> --file churn_scores.csv" },
    { description: "Tables of a Postgres database (PG* variables)", command: "<%= config.bin %> <%= command.id %> --postgres env" },
    {
      description: "A table's columns; write the proposal into tablecast.config.json",
      command: "<%= config.bin %> <%= command.id %> --postgres env --table analytics.churn_scores --write-config tablecast.config.json"
    },
    { description: "Tables of a Snowflake account (SNOWFLAKE_* variables)", command: "<%= config.bin %> <%= command.id %> --snowflake env" }
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
    table: mappingFlags.table,
    query: mappingFlags.query,
    samples: Flags.integer({ summary: "Sample values per column.", default: 3, min: 0, max: 100 }),
    "scan-rows": Flags.integer({ summary: "Rows of a file read to judge types and uniqueness.", default: 100_000, min: 1 }),
    "write-config": Flags.string({ summary: "Write the proposed sync into this config file (created, or added to)." }),
    name: Flags.string({ summary: "Name of the sync written by --write-config (default: from the table or file name)." }),
    json: Flags.boolean({ summary: "Print the inspection as JSON." })
  }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(InspectCommand)
    // Before the source is read: the config file to write can be written (never through a link).
    if (flags["write-config"] !== undefined) {
      try {
        await checkOutput({ flag: "--write-config", path: flags["write-config"], mode: "replace" })
      } catch (error) {
        if (!(error instanceof OutputLocationError)) throw error
        process.stderr.write(`tablecast: ${terminalText(error.message)}\n`)
        return this.exit(ExitCode.outputFailed)
      }
    }
    const overrides = mappingOverrides(flags)
    let raw = overrides.source
    let baseDir = process.cwd()
    if (raw === undefined) {
      const file = flags.config ?? (args.sync === undefined ? undefined : DEFAULT_CONFIG_FILE)
      if (file === undefined) throw new UsageError("nothing to inspect: give --file, --postgres or --snowflake, or a sync of the config file")
      const config = await loadConfigFile(path.resolve(file))
      const names = Object.keys(config.syncs)
      const name = args.sync ?? (names.length === 1 ? names[0] : undefined)
      const entry = name === undefined ? undefined : config.syncs[name]
      if (entry === undefined) throw new UsageError(`${file}: name a sync to inspect (${names.join(", ")})`)
      raw = { ...(entry.source as Record<string, unknown>), ...overrides.sourcePatch }
      baseDir = path.dirname(path.resolve(file))
    }
    const parsed = sourceConfigSchema(await adaptersFor(raw)).safeParse(raw)
    if (!parsed.success) throw new UsageError(formatIssues(parsed.error, "source"))
    const source = parsed.data
    const adapter = await adapterOf(source)
    const fail = (message: string): never => {
      process.stderr.write(`tablecast: ${terminalText(message)}\n`)
      return this.exit(ExitCode.sourceFailed)
    }
    const run = async <A>(effect: Effect.Effect<A, { message: string }>): Promise<A> => {
      const exit = await Effect.runPromiseExit(effect)
      if (Exit.isSuccess(exit)) return exit.value
      const error = Cause.squash(exit.cause)
      return fail(error instanceof Error || (typeof error === "object" && error !== null && "message" in error) ? String((error as { message: unknown }).message) : String(error))
    }

    // A connection alone (no table, no query): its tables.
    const readsFrom = adapter.readsFrom(source)
    if (readsFrom === undefined && adapter.listTables !== undefined) {
      const tables = await run(adapter.listTables(source, process.env))
      if (flags.json) {
        process.stdout.write(`${terminalJson(JSON.stringify({ tables }, null, 2))}\n`)
        return
      }
      if (tables.length === 0) process.stdout.write("no tables this connection can read\n")
      else {
        process.stdout.write(`${pad([["TABLE", "KIND", "ROWS (estimate)"], ...tables.map((t) => [terminalText(t.table), t.kind, t.estimatedRows === undefined ? "?" : String(t.estimatedRows)])])}\n`)
        process.stdout.write(`\ninspect one: tablecast inspect --${source.type} … --table <TABLE>\n`)
      }
      return
    }

    const description: SourceDescription = await run(adapter.describe(source, baseDir, process.env, { samples: flags.samples, scanRows: flags["scan-rows"] }))
    const tableName = readsFrom ?? "query"
    const proposal = proposeSync(description, tableName)
    const name = flags.name ?? tableName.replace(/\.[^.]+$/, "").split(".").pop()!.replace(/[^\w.-]+/g, "-").toLowerCase()

    if (flags.json) process.stdout.write(`${terminalJson(JSON.stringify({ ...description, proposal: { name, ...proposal } }, null, 2))}\n`)
    else {
      process.stdout.write(`${terminalText(description.description)}: ${description.columns.length} columns, ${description.estimatedRows === undefined ? "row count unknown" : `~${description.estimatedRows} rows`}\n\n`)
      process.stdout.write(
        `${pad([
          ["COLUMN", "TYPE", "AS JSON", "AUTO SENDS", "EMPTY", "UNIQUE", "SAMPLES"],
          ...description.columns.map((c) =>
            [c.name, c.sourceType, c.kind, c.sentAs?.type ?? "?", yesNo(c.nullable), yesNo(c.unique), c.samples.map(show).join(", ")].map(terminalText)
          )
        ])}\n\n`
      )
      // What decided each column's type under `auto` where the rows did (a source that scans its
      // rows: a file), and what a sync would reject.
      const decided = description.columns.find((c) => c.sentAs !== undefined)?.sentAs?.basis
      if (description.repeats !== undefined && decided !== undefined) process.stdout.write(`AUTO SENDS: each column's type, ${terminalText(decided)} (as a sync decides it)\n`)
      for (const c of description.columns) {
        if (c.sentAs?.note !== undefined && c.sentAs.type === "number") process.stdout.write(`  - ${terminalText(c.name)}: ${terminalText(c.sentAs.note)}\n`)
        if (c.misfit !== undefined) {
          process.stdout.write(
            terminalText(
              `  - ${c.name}: typed number from the first rows, but row ${c.misfit.row} holds ${show(JSON.stringify(c.misfit.value))}: a sync would reject that row (--column ${c.name}=string sends the column as text)`
            ) + "\n"
          )
        }
      }
      process.stdout.write("\n")
      if (description.repeats !== undefined && description.repeats.repeated > 0) {
        const { scanned, repeated } = description.repeats
        process.stdout.write(
          `${repeated} of the ${scanned} rows scanned repeat an earlier row exactly: a sync sends each as a message of its own (its messageId counts the occurrence)\n\n`
        )
      }
      process.stdout.write(`proposed sync "${terminalText(name)}":\n${terminalJson(JSON.stringify(proposal.spec, null, 2))}\n`)
      for (const note of proposal.notes) process.stdout.write(`  - ${terminalText(note)}\n`)
    }

    if (flags["write-config"] !== undefined) {
      const file = path.resolve(flags["write-config"])
      const config = existsSync(file) ? (JSON.parse(await readFile(file, "utf8")) as { syncs?: Record<string, unknown> }) : { syncs: {} }
      config.syncs ??= {}
      if (name in config.syncs) throw new UsageError(`${flags["write-config"]} already has a sync named "${name}": choose another with --name`)
      // The file must never hold a password: a URL holding one goes, a variable name comes in its place.
      const { entry: written, urlMovedTo } = adapter.configEntry(source, baseDir, path.dirname(file))
      if (urlMovedTo !== undefined) {
        process.stderr.write(`the connection URL holds a password, so the config names the variable ${urlMovedTo} instead: set it before running the sync\n`)
      }
      config.syncs[name] = { source: written, ...proposal.spec }
      await writeFileAtomically(file, `${JSON.stringify(config, null, 2)}\n`)
      process.stderr.write(`wrote sync "${name}" to ${flags["write-config"]}: review it, then run tablecast sync ${name}${file === path.resolve(DEFAULT_CONFIG_FILE) ? "" : ` --config ${flags["write-config"]}`}\n`)
    }
  }
}
