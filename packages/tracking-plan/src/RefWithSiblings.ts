type Json = Readonly<Record<string, unknown>>

/** Keywords whose values are data, not schemas: never rewritten. */
const dataKeywords = new Set(["enum", "const", "default", "examples"])

/**
 * A draft-04/07 schema with each `$ref` that has sibling keywords moved into an `allOf` beside them:
 * those drafts say a `$ref`'s siblings are ignored, and @cfworker/json-schema ignores them, but Ajv —
 * the CLI's checker — applies them (`{"$ref": "#/definitions/score", "maximum": 1}` limits to 1). So
 * both checkers apply them. Schemas without such a `$ref` come back as they are.
 */
export const refSiblingsApplied = (node: unknown): unknown => {
  if (Array.isArray(node)) {
    let changed = false
    const items = node.map((item) => {
      const next = refSiblingsApplied(item)
      if (next !== item) changed = true
      return next
    })
    return changed ? items : node
  }
  if (typeof node !== "object" || node === null) return node
  const source = node as Json
  let changed = false
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(source)) {
    const next = dataKeywords.has(key) ? value : refSiblingsApplied(value)
    if (next !== value) changed = true
    out[key] = next
  }
  if (typeof source.$ref === "string" && Object.keys(source).some((key) => key !== "$ref" && !key.startsWith("$") && key !== "definitions")) {
    const { $ref, ...siblings } = out
    const allOf = Array.isArray(siblings.allOf) ? siblings.allOf : []
    return { ...siblings, allOf: [...allOf, { $ref }] }
  }
  return changed ? out : node
}
