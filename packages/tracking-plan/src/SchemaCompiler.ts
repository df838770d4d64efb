import { Ajv, type ValidateFunction } from "ajv"
import { Ajv2019 } from "ajv/dist/2019.js"
import { Ajv2020 } from "ajv/dist/2020.js"
import * as formats from "ajv-formats"
import * as standalone from "ajv/dist/standalone/index.js"
import { asTest } from "./ShapeChecks.js"
import { type Dialect, usableSchema } from "./UsableSchema.js"

type Json = Readonly<Record<string, unknown>>

// ajv-formats is CommonJS with `module.exports = plugin`: how a default import arrives depends on the loader.
type FormatsPlugin = (ajv: Ajv) => Ajv
const formatsModule = formats as unknown as { readonly default?: FormatsPlugin | { readonly default?: FormatsPlugin } }
const addFormats: FormatsPlugin =
  typeof formatsModule.default === "function" ? formatsModule.default : (formatsModule.default?.default ?? (formats as unknown as FormatsPlugin))

// As ajv-formats: CommonJS with `module.exports = standaloneCode`, which loaders wrap differently.
type StandaloneCode = (ajv: Ajv, validate: ValidateFunction) => string
const standaloneModule = standalone as unknown as { readonly default?: StandaloneCode | { readonly default?: StandaloneCode } }
const standaloneCode: StandaloneCode =
  typeof standaloneModule.default === "function"
    ? standaloneModule.default
    : (standaloneModule.default?.default ?? (standalone as unknown as StandaloneCode))

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
  /** The tests' code is kept, for `testSource`; a compiler that only runs its tests keeps none. */
  readonly keepSource?: boolean
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
  readonly #keepSource: boolean

  constructor(options: SchemaCompilerOptions = {}) {
    this.#validated = options.validated === true
    this.#keepSource = options.keepSource === true
  }

  #ajv(dialect: Dialect, forTests = false): Ajv {
    const instances = forTests ? this.#testInstances : this.#instances
    const known = instances.get(dialect)
    if (known !== undefined) return known
    const options = {
      // A test stops at the first error and keeps none: the whole check names them.
      allErrors: !forTests,
      verbose: !forTests,
      // A test's code is kept, to be handed to a worker thread as source (`testSource`).
      ...(forTests && this.#keepSource ? { code: { source: true } } : {}),
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
    return asTest(this.compileIn(dialect, part, true))
  }

  /**
   * The source of `compileTest`'s validator, as a CommonJS module Ajv writes for it (standalone code):
   * a thread can revive it without Ajv (`RevivedTests`). Needs `keepSource`. Throws Ajv's error.
   */
  testSource(dialect: Dialect, part: Json): string {
    const validate = this.compileIn(dialect, part, true)
    return standaloneCode(this.#ajv(dialect, true), validate)
  }
}
