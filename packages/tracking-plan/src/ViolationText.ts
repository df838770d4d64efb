import type { ErrorObject } from "ajv"

/** "/properties/churn_score" → "properties.churn_score" (JSON Pointer escapes undone). */
export const dottedPath = (pointer: string): string =>
  pointer === ""
    ? ""
    : pointer
        .slice(1)
        .split("/")
        .map((part) => part.replaceAll("~1", "/").replaceAll("~0", "~"))
        .join(".")

const join = (parent: string, child: string): string => (parent === "" ? child : `${parent}.${child}`)

/** The JSON type of a value, as a schema's `type` names it. */
export const jsonType = (value: unknown): string => {
  if (value === null) return "null"
  if (Array.isArray(value)) return "array"
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number"
  return typeof value
}

/** A value as a violation shows it: short scalars as JSON, the rest by their type. */
export const shown = (value: unknown): string => {
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)
  if (typeof value === "number" || typeof value === "boolean" || value === null) return JSON.stringify(value)
  return jsonType(value)
}

const typeNames = (type: unknown): string => (Array.isArray(type) ? type : String(type).split(",")).map((name) => String(name)).join(" or ")

/** One Ajv error as tablecast says it: the property path, what it must be, what it is. */
export const violationOf = (error: ErrorObject): { readonly path: string; readonly text: string } => {
  const path = dottedPath(error.instancePath)
  const params = error.params as Record<string, unknown>
  switch (error.keyword) {
    case "required": {
      const missing = join(path, String(params.missingProperty))
      return { path: missing, text: `${missing}: required property missing` }
    }
    case "additionalProperties": {
      const extra = join(path, String(params.additionalProperty))
      return { path: extra, text: `${extra}: not in the plan (no additional properties allowed)` }
    }
    case "type":
      return { path, text: `${path || "message"}: must be ${typeNames(params.type)}, got ${jsonType(error.data)}` }
    case "enum": {
      const allowed = Array.isArray(params.allowedValues) ? params.allowedValues.map((value) => JSON.stringify(value)).join(", ") : ""
      return { path, text: `${path || "message"}: must be one of ${allowed}, got ${shown(error.data)}` }
    }
    default:
      return { path, text: `${path || "message"}: ${error.message ?? error.keyword}, got ${shown(error.data)}` }
  }
}
