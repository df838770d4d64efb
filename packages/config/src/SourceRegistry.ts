import * as z from "zod"

/**
 * What the config needs of a source adapter: the `type` that names it in a config entry and the
 * schema of that entry. Adapters carry more (a layer, an inspector); the config reads only this.
 */
export interface SourceEntryAdapter<Config extends { readonly type: string } = { readonly type: string }> {
  readonly type: string
  readonly schema: z.ZodType<Config>
}

/**
 * The sources a config may name, by type; an adapter is loaded only when a sync names its type.
 * The app passes it in: this package imports no source package.
 */
export type SourceRegistry<Config extends { readonly type: string } = { readonly type: string }> = Readonly<
  Record<string, () => Promise<SourceEntryAdapter<Config>>>
>

/** A registry over adapters already loaded. */
export const sourceRegistryOf = <Config extends { readonly type: string }>(
  adapters: ReadonlyArray<SourceEntryAdapter<Config>>
): SourceRegistry<Config> => Object.fromEntries(adapters.map((adapter) => [adapter.type, () => Promise.resolve(adapter)]))

/**
 * The schema of a sync's `source`: the named adapter's, once loaded; before that (no source, or a
 * type no adapter has), one that names the known types.
 */
export const sourceEntrySchema = async <Config extends { readonly type: string }>(
  registry: SourceRegistry<Config>,
  raw: unknown
): Promise<z.ZodType<Config>> => {
  const type = typeof raw === "object" && raw !== null ? (raw as { type?: unknown }).type : undefined
  const load = typeof type === "string" && Object.hasOwn(registry, type) ? registry[type] : undefined
  if (load !== undefined) return (await load()).schema
  const types = Object.keys(registry)
  // Worded as zod words a discriminated union's miss, as when the adapters' schemas were one union.
  const expected = `Invalid discriminator value. Expected ${types.map((name) => `'${name}'`).join(" | ")}`
  return z.looseObject({
    type: z.unknown().refine((value) => typeof value === "string" && types.includes(value), { message: expected })
  }) as unknown as z.ZodType<Config>
}
