type Json = Readonly<Record<string, unknown>>

export type Dialect = "draft-07" | "draft-04" | "2019-09" | "2020-12"

/** The dialect a schema's `$schema` names: draft-07 unless it names another. */
export const dialectOf = (schema: Json): Dialect => {
  const uri = typeof schema.$schema === "string" ? schema.$schema : ""
  if (uri.includes("draft-04") || uri.includes("draft-03")) return "draft-04"
  if (uri.includes("2019-09")) return "2019-09"
  if (uri.includes("2020-12")) return "2020-12"
  return "draft-07"
}

/** Draft-04's boolean exclusiveMinimum/Maximum and `id`, said as draft-07 says them; the rest is the same. */
const fromDraft04 = (node: unknown): unknown => {
  if (Array.isArray(node)) return node.map(fromDraft04)
  if (typeof node !== "object" || node === null) return node
  const out: Record<string, unknown> = {}
  const source = node as Json
  for (const [key, value] of Object.entries(source)) {
    if (key === "$schema") continue
    if (key === "id" && typeof value === "string") out.$id = value
    else if ((key === "exclusiveMinimum" || key === "exclusiveMaximum") && typeof value === "boolean") {
      const bound = source[key === "exclusiveMinimum" ? "minimum" : "maximum"]
      if (value && typeof bound === "number") out[key] = bound
    } else if (key === "properties" || key === "definitions" || key === "patternProperties") {
      out[key] = Object.fromEntries(Object.entries((value ?? {}) as Json).map(([name, child]) => [name, fromDraft04(child)]))
    } else out[key] = fromDraft04(value)
  }
  // An exclusive bound replaces its inclusive one.
  if (source.exclusiveMinimum === true) delete out.minimum
  if (source.exclusiveMaximum === true) delete out.maximum
  return out
}

/** A rule's schema as Ajv compiles it, with its dialect: draft-04 rewritten as draft-07, `$schema` left out for draft-07. */
export const usableSchema = (schema: Json): { readonly dialect: Dialect; readonly usable: Json } => {
  const dialect = dialectOf(schema)
  const { $schema: _ignored, ...rest } = schema
  const usable = dialect === "draft-04" ? (fromDraft04(rest) as Json) : dialect === "draft-07" ? rest : schema
  return { dialect, usable }
}
