import type { ValidateFunction } from "ajv"
import { latestRules, shapeChecker } from "./LatestRules.js"
import { SchemaCompiler, type SchemaCompilerOptions } from "./SchemaCompiler.js"
import { type MessageShape, partKey, type ShapeCheck } from "./ShapeChecks.js"
import { type PlanCheck, planCheck, type PlanViolation } from "./RuleChecks.js"
import { ruleLabel, type TrackingPlan } from "./TrackingPlan.js"
import { TrackingPlanError } from "./TrackingPlanError.js"
import { violationOf } from "./ViolationText.js"

/** A plan ready to check messages. */
export interface TrackingPlanChecker {
  readonly plan: TrackingPlan
  /** Checks one message as sent (`{type, event, userId, properties | traits, context, ...}`). */
  readonly check: (message: Readonly<Record<string, unknown>>) => PlanCheck
}

/** A plan compiled for checking messages: every rule's schema compiled once. */
export interface CompiledTrackingPlan extends TrackingPlanChecker {
  /**
   * The plan taken apart for one shape of message, so that a message can be passed value by value without
   * being built as an object; undefined when its rules judge more than each value (see `ShapeCheck`).
   */
  readonly checkShape: (shape: MessageShape) => ShapeCheck | undefined
  /**
   * The tests `checkShape` compiles for these shapes, as standalone code by `partKey`: a worker thread
   * revives them (`@tablecast/tracking-plan/revived`) instead of loading Ajv.
   */
  readonly portableTests: (shapes: ReadonlyArray<MessageShape>) => Readonly<Record<string, string>>
}

interface CompiledRule {
  readonly label: string
  readonly validate: ValidateFunction
}

/** A rule whose validator is compiled on first use. */
interface LazyRule {
  readonly label: string
  readonly validate: () => ValidateFunction
}

/**
 * Compiles a plan's rules with Ajv. Of several versions of one rule, the highest is checked (tablecast's
 * messages name no version). A schema Ajv cannot compile is a TrackingPlanError naming `origin` and the rule.
 * `options.validated`: the plan was compiled once already (a worker thread given the plan), its schemas are
 * not checked against their meta-schema again.
 */
export const compileTrackingPlan = (plan: TrackingPlan, origin: string, options: SchemaCompilerOptions = {}): CompiledTrackingPlan => {
  const compileWith =
    (compiler: SchemaCompiler) =>
    (schema: Readonly<Record<string, unknown>>, label: string, at: string | undefined): CompiledRule => {
      try {
        return { label, validate: compiler.compile(schema) }
      } catch (error) {
        throw new TrackingPlanError({
          origin,
          ...(at === undefined ? {} : { rule: at }),
          field: "jsonSchema",
          reason: `${label}: the rule's JSON Schema is not valid: ${error instanceof Error ? error.message : String(error)}`
        })
      }
    }
  const latest = latestRules(plan)
  if (options.validated !== true) {
    // Each schema is checked against its meta-schema by a compiler of its own, dropped once done: the
    // meta-schema's validator (about 5 MiB) is not kept for the run.
    const checkSchema = compileWith(new SchemaCompiler())
    for (const rule of latest.values()) checkSchema(rule.jsonSchema, ruleLabel(rule), rule.at)
    if (plan.common !== undefined) checkSchema(plan.common, "COMMON", "common")
  }
  const compiler = new SchemaCompiler({ validated: true })
  const compile = compileWith(compiler)
  // A rule's whole validator is compiled when a message first needs it: a message that passes its
  // tests (`checkShape`) never does, and a run whose messages all pass keeps none.
  const lazily = (schema: Readonly<Record<string, unknown>>, label: string, at: string | undefined): LazyRule => {
    let validate: ValidateFunction | undefined
    return { label, validate: () => (validate ??= compile(schema, label, at).validate) }
  }
  const byKey = new Map<string, LazyRule>()
  for (const [key, rule] of latest) byKey.set(key, lazily(rule.jsonSchema, ruleLabel(rule), rule.at))
  const common = plan.common === undefined ? undefined : lazily(plan.common, "COMMON", "common")

  const checkShape = shapeChecker(plan, (dialect, part) => compiler.compileTest(dialect, part))
  const portableTests = (shapes: ReadonlyArray<MessageShape>): Readonly<Record<string, string>> => {
    // The parts these shapes' checks compile, recorded as standalone code as they are compiled, by a
    // compiler that keeps their code and is dropped once done.
    const writer = new SchemaCompiler({ validated: true, keepSource: true })
    const sources: Record<string, string> = {}
    const recording = shapeChecker(plan, (dialect, part) => {
      sources[partKey(dialect, part)] ??= writer.testSource(dialect, part)
      return writer.compileTest(dialect, part)
    })
    for (const shape of shapes) recording(shape)
    return sources
  }

  const run = (rule: LazyRule, message: unknown, into: Array<PlanViolation>): void => {
    const validate = rule.validate()
    if (validate(message)) return
    for (const error of validate.errors ?? []) {
      const { path, text } = violationOf(error)
      into.push({ path, rule: rule.label, text: `${text} (${rule.label})` })
    }
  }

  // A sync sends one event name: its rule is looked up once, not with a new key string per message.
  let lastEvent: unknown
  let lastTrackRule: LazyRule | undefined
  const trackRule = (event: unknown): LazyRule | undefined => {
    if (event !== lastEvent || lastEvent === undefined) {
      lastTrackRule = byKey.get(`track:${String(event)}`)
      lastEvent = event
    }
    return lastTrackRule
  }

  const check = planCheck(
    (message) => (message.type === "track" ? trackRule(message.event) : typeof message.type === "string" ? byKey.get(message.type) : undefined),
    common,
    run
  )
  return { plan, check, checkShape, portableTests }
}

export type { PlanCheck, PlanViolation }
