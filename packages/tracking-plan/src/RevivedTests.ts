// Tests a sending thread compiled with Ajv, revived from their standalone code without loading Ajv: a
// worker thread that checks messages as it maps them keeps Ajv (its code and its heap) out of its own.
import { shapeChecker } from "./LatestRules.js"
import { asTest, type MessageShape, partKey, type ShapeCheck, type ValueTest } from "./ShapeChecks.js"
import type { TrackingPlan } from "./TrackingPlan.js"

/** The modules Ajv's standalone code may require, each loaded only when a test names it. */
const RUNTIME: Readonly<Record<string, () => Promise<unknown>>> = {
  "ajv-formats/dist/formats": () => import("ajv-formats/dist/formats.js"),
  "ajv/dist/runtime/ucs2length": () => import("ajv/dist/runtime/ucs2length.js"),
  "ajv/dist/runtime/equal": () => import("ajv/dist/runtime/equal.js"),
  "ajv/dist/runtime/uri": () => import("ajv/dist/runtime/uri.js")
}

const REQUIRED = /require\("([^"]+)"\)/g

/** A CommonJS module's exports from what `import()` gave, whichever way the loader (Node, a bundler) wrapped them. */
const exportsOf = (namespace: unknown): unknown => {
  const wrapped = (namespace as { readonly default?: unknown }).default
  return typeof wrapped === "object" && wrapped !== null && ("default" in wrapped || "fullFormats" in wrapped) ? wrapped : namespace
}

/**
 * A plan's `checkShape` whose tests are revived from `sources` (`CompiledTrackingPlan.portableTests`). A
 * shape whose tests are not all there (or need a module not known here) is not taken apart: undefined.
 */
export const revivedShapeChecks = async (
  plan: TrackingPlan,
  sources: Readonly<Record<string, string>>
): Promise<(shape: MessageShape) => ShapeCheck | undefined> => {
  const modules = new Map<string, unknown>()
  for (const source of Object.values(sources)) {
    for (const [, name] of source.matchAll(REQUIRED)) {
      const load = name === undefined || modules.has(name) ? undefined : RUNTIME[name]
      if (load !== undefined) modules.set(name!, exportsOf(await load()))
    }
  }
  const require = (name: string): unknown => {
    if (!modules.has(name)) throw new Error(`a revived test needs ${name}`)
    return modules.get(name)
  }
  const revived = new Map<string, ValueTest>()
  return shapeChecker(plan, (dialect, part) => {
    const key = partKey(dialect, part)
    let test = revived.get(key)
    if (test === undefined) {
      const source = sources[key]
      if (source === undefined) throw new Error("no test was compiled for this part")
      const module = { exports: {} as unknown }
      // Ajv's own code, written by the sending thread's Ajv from the plan's schemas (`standaloneCode`).
      new Function("require", "module", "exports", source)(require, module, module.exports)
      test = asTest(module.exports as (value: unknown) => unknown)
      revived.set(key, test)
    }
    return test
  })
}
