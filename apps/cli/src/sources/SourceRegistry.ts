import type { SourceAdapter } from "@tablecast/core"
import type { CsvSourceConfig } from "@tablecast/source-csv/adapter"
import type { PostgresSourceConfig } from "@tablecast/source-postgres/adapter"
import type { SnowflakeSourceConfig } from "@tablecast/source-snowflake/adapter"
import * as z from "zod"

/** A source entry of a config file (`source: {type, ...}`), as its adapter checks it. */
export type SourceConfig = CsvSourceConfig | PostgresSourceConfig | SnowflakeSourceConfig
export type SourceType = SourceConfig["type"]
type ConfigOf<Type extends SourceType> = Extract<SourceConfig, { readonly type: Type }>

/** An adapter of one of the sources below, loaded. */
export type LoadedSourceAdapter = { readonly [Type in SourceType]: SourceAdapter<ConfigOf<Type>> }[SourceType]

/**
 * Every source the CLI can read, by the `type` that names it in a config file. Each is imported
 * when a run first uses it: a CSV sync never loads a database driver (the bundle keeps each
 * source in a chunk of its own, scripts/bundle.js).
 */
export const sourceRegistry: { readonly [Type in SourceType]: () => Promise<SourceAdapter<ConfigOf<Type>>> } = {
  csv: async () => (await import("@tablecast/source-csv/adapter")).csvSource,
  postgres: async () => (await import("@tablecast/source-postgres/adapter")).postgresSource,
  snowflake: async () => (await import("@tablecast/source-snowflake/adapter")).snowflakeSource
}

export const sourceTypes = Object.keys(sourceRegistry) as ReadonlyArray<SourceType>

const isSourceType = (type: unknown): type is SourceType => typeof type === "string" && Object.hasOwn(sourceRegistry, type)

/** The adapter of a source type, loaded on first use. */
export const loadSourceAdapter = <Type extends SourceType>(type: Type): Promise<SourceAdapter<ConfigOf<Type>>> => sourceRegistry[type]()

/** The adapter of a checked source entry: it accepts that entry, which its schema checked. */
export const adapterOf = (config: SourceConfig): Promise<SourceAdapter<SourceConfig>> =>
  loadSourceAdapter(config.type) as Promise<unknown> as Promise<SourceAdapter<SourceConfig>>

/** The adapters a raw source entry needs to be checked: the one its `type` names, if it names one. */
export const adaptersFor = async (raw: unknown): Promise<ReadonlyArray<LoadedSourceAdapter>> => {
  const type = typeof raw === "object" && raw !== null ? (raw as { readonly type?: unknown }).type : undefined
  return isSourceType(type) ? [(await loadSourceAdapter(type)) as LoadedSourceAdapter] : []
}

/**
 * The schema of a source entry, from the adapters loaded for it. An unknown type is refused naming
 * every type, as one schema of all the sources would; a type known but not loaded is a bug (the
 * entry was checked with the adapters of another).
 */
export const sourceConfigSchema = (adapters: ReadonlyArray<LoadedSourceAdapter>): z.ZodType<SourceConfig> => {
  const options = sourceTypes.map(
    (type) =>
      (adapters.find((adapter) => adapter.type === type)?.schema as z.ZodObject | undefined) ??
      z.object({ type: z.literal(type) }).refine(() => false, `the ${type} source was not loaded (a bug)`)
  )
  return z.discriminatedUnion("type", options as [z.ZodObject, ...Array<z.ZodObject>]) as unknown as z.ZodType<SourceConfig>
}
