import { Ajv, type ValidateFunction } from "ajv"
import { Ajv2019 } from "ajv/dist/2019.js"
import { Ajv2020 } from "ajv/dist/2020.js"
import * as formats from "ajv-formats"

type Json = Readonly<Record<string, unknown>>

// ajv-formats is CommonJS with `module.exports = plugin`: how a default import arrives depends on the loader.
type FormatsPlugin = (ajv: Ajv) => Ajv
const formatsModule = formats as unknown as { readonly default?: FormatsPlugin | { readonly default?: FormatsPlugin } }
const addFormats: FormatsPlugin =
  typeof formatsModule.default === "function" ? formatsModule.default : (formatsModule.default?.default ?? (formats as unknown as FormatsPlugin))

export type Dialect = "draft-07" | "draft-04" | "2019-09" | "2020-12"

const dialectOf = (schema: Json): Dialect => {
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

/** Whether a schema names a `format` anywhere (ajv-formats is added to an Ajv only for such a schema). */
const usesFormat = (node: unknown): boolean => {
  if (Array.isArray(node)) return node.some(usesFormat)
  if (typeof node !== "object" || node === null) return false
  for (const [key, value] of Object.entries(node as Json)) if ((key === "format" && typeof value === "string") || usesFormat(value)) return true
  return false
}

/** How a SchemaCompiler compiles. */
export interface SchemaCompilerOptions {
  /**
   * The schemas were compiled (and so checked against their meta-schema) already, e.g. by the thread
   * that hands the plan to a worker: they are not checked again. Checking compiles the meta-schema's own
   * validator, about 5 MiB of memory.
   */
  readonly validated?: boolean
}

/**
 * Compiles rule schemas with Ajv: every error listed (`allErrors`), the failing value kept for the texts
 * (`verbose`), formats from ajv-formats (added for the first schema that names a format), and keywords
 * Ajv does not know (Segment writes `labels`) ignored. Draft-07 is what Segment writes; draft-04 schemas
 * are rewritten to it, 2019-09 and 2020-12 get their own Ajv.
 */
export class SchemaCompiler {
  readonly #instances = new Map<Dialect, Ajv>()
  /** Instances for `compileTest`: no error list, just the answer. */
  readonly #testInstances = new Map<Dialect, Ajv>()
  readonly #withFormats = new Set<Ajv>()
  readonly #validated: boolean

  constructor(options: SchemaCompilerOptions = {}) {
    this.#validated = options.validated === true
  }

  #ajv(dialect: Dialect, forTests = false): Ajv {
    const instances = forTests ? this.#testInstances : this.#instances
    const known = instances.get(dialect)
    if (known !== undefined) return known
    const options = {
      // A test stops at the first error and keeps none: the whole check names them.
      allErrors: !forTests,
      verbose: !forTests,
      strict: false,
      allowUnionTypes: true,
      ...(this.#validated ? { validateSchema: false } : {})
    } as const
    const ajv = dialect === "2019-09" ? new Ajv2019(options) : dialect === "2020-12" ? new Ajv2020(options) : new Ajv(options)
    instances.set(dialect, ajv)
    return ajv
  }

  /** Throws Ajv's error when the schema is not a valid JSON Schema. */
  compile(schema: Json): ValidateFunction {
    const { dialect, usable } = usableSchema(schema)
    return this.compileIn(dialect, usable)
  }

  compileIn(dialect: Dialect, schema: Json | boolean, forTests = false): ValidateFunction {
    const ajv = this.#ajv(dialect, forTests)
    if (!this.#withFormats.has(ajv) && usesFormat(schema)) {
      addFormats(ajv)
      this.#withFormats.add(ajv)
    }
    return ajv.compile(schema)
  }

  /**
   * A test of one value against a part of a schema `usableSchema` gave (a member's schema, say),
   * compiled as a schema of its own in the whole schema's dialect; the part must not refer to the rest
   * (`$ref`). It says only whether the value passes. Throws Ajv's error.
   */
  compileTest(dialect: Dialect, part: Json): (value: unknown) => boolean {
    const validate = this.compileIn(dialect, part, true)
    // Ajv's functions take their context as a second argument with a default: a constant one spares
    // an object per call.
    return (value) => validate(value, NO_CONTEXT) === true
  }
}

const NO_CONTEXT = Object.freeze({ instancePath: "", rootData: undefined }) as unknown as Parameters<ValidateFunction>[1]

/** A rule's schema as Ajv compiles it, with its dialect: draft-04 rewritten as draft-07, `$schema` left out for draft-07. */
export const usableSchema = (schema: Json): { readonly dialect: Dialect; readonly usable: Json } => {
  const dialect = dialectOf(schema)
  const { $schema: _ignored, ...rest } = schema
  const usable = dialect === "draft-04" ? (fromDraft04(rest) as Json) : dialect === "draft-07" ? rest : schema
  return { dialect, usable }
}
