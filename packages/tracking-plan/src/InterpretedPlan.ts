import { type Schema, type SchemaDraft, Validator } from "@cfworker/json-schema"
import type { TrackingPlanChecker } from "./CompiledPlan.js"
import { planCheck, type PlanViolation } from "./RuleChecks.js"
import { latestRules } from "./LatestRules.js"
import { interpretedViolations } from "./InterpretedViolationText.js"
import { refSiblingsApplied } from "./RefWithSiblings.js"
import { sharedKeywordsMetaSchema } from "./SharedKeywordsMetaSchema.js"
import { ruleLabel, type TrackingPlan } from "./TrackingPlan.js"
import { TrackingPlanError } from "./TrackingPlanError.js"
import { type Dialect, dialectOf } from "./UsableSchema.js"

type Json = Readonly<Record<string, unknown>>

/** The draft a schema's `$schema` names, as the Ajv path reads it (`dialectOf`), in @cfworker/json-schema's words. */
const DRAFTS: Readonly<Record<Dialect, SchemaDraft>> = { "draft-04": "4", "draft-07": "7", "2019-09": "2019-09", "2020-12": "2020-12" }
const draftOf = (schema: Json): SchemaDraft => DRAFTS[dialectOf(schema)]

/** How an interpreted plan words its violations. */
export interface InterpretOptions {
  /**
   * Whether a violation quotes the failing value (`got "extreme"`, the default, as the Ajv path does), or
   * tells only its JSON type (`got string`): for apps that may not echo row values (the edge worker).
   */
  readonly quoteValues?: boolean
}

interface InterpretedRule {
  readonly label: string
  readonly schema: Json
  readonly draft4: boolean
  readonly validator: Validator
}

let metaValidator: Validator | undefined

/** The first units of a schema's check against the shared keywords' meta-schema, as "path: what" texts. */
const schemaFaults = (schema: Json): ReadonlyArray<string> => {
  metaValidator ??= new Validator(sharedKeywordsMetaSchema as unknown as Schema, "7", false)
  const result = metaValidator.validate(schema)
  if (result.valid) return []
  return interpretedViolations(result.errors, schema, sharedKeywordsMetaSchema, { draft4: false, quoteValues: true })
    .slice(0, 3)
    .map((violation) => violation.text.replace(/^message:/, "the schema:"))
}

/**
 * Builds a plan's checker with @cfworker/json-schema, which interprets schemas (no `new Function`: it runs
 * where code generation is forbidden, as in Cloudflare Workers). Checks what `compileTrackingPlan` checks —
 * the highest version of each rule, the common rule, unplanned track events — and words each violation as
 * it does wherever the two validators agree (type, required, enum, bounds, format, additional properties).
 * A schema that is not one is a TrackingPlanError naming `origin`, the rule and the keyword.
 */
export const interpretTrackingPlan = (plan: TrackingPlan, origin: string, options: InterpretOptions = {}): TrackingPlanChecker => {
  const quoteValues = options.quoteValues !== false
  const interpret = (schema: Json, label: string, at: string | undefined): InterpretedRule => {
    const fail = (reason: string): never => {
      throw new TrackingPlanError({
        origin,
        ...(at === undefined ? {} : { rule: at }),
        field: "jsonSchema",
        reason: `${label}: the rule's JSON Schema is not valid: ${reason}`
      })
    }
    const faults = schemaFaults(schema)
    if (faults.length > 0) fail(faults.join("; "))
    const draft = draftOf(schema)
    // Read as Ajv reads it: a $ref's siblings apply in every draft.
    const read = draft === "4" || draft === "7" ? (refSiblingsApplied(schema) as Json) : schema
    try {
      // Every error listed (no short circuit), as Ajv's allErrors.
      const validator = new Validator(read as Schema, draft, false)
      // A $ref that resolves nowhere throws on use: found here, once, rather than on a message.
      validator.validate({})
      return { label, schema: read, draft4: draft === "4", validator }
    } catch (error) {
      // The validator goes on to name its base URI and every schema it knows: the first sentence says it.
      return fail(error instanceof Error ? error.message.split(/\n| {2}Absolute URI/)[0]! : String(error))
    }
  }
  const latest = latestRules(plan)
  const byKey = new Map<string, InterpretedRule>()
  for (const [key, rule] of latest) byKey.set(key, interpret(rule.jsonSchema, ruleLabel(rule), rule.at))
  const common = plan.common === undefined ? undefined : interpret(plan.common, "COMMON", "common")

  const run = (rule: InterpretedRule, message: unknown, into: Array<PlanViolation>): void => {
    let units: ReturnType<Validator["validate"]>
    try {
      units = rule.validator.validate(message)
    } catch (error) {
      // A $ref reached only by some messages and resolving nowhere: the message cannot be said to keep the rule.
      const reason = error instanceof Error ? error.message.split("\n")[0]! : String(error)
      into.push({ path: "", rule: rule.label, text: `message: the rule could not be checked: ${reason} (${rule.label})` })
      return
    }
    if (units.valid) return
    for (const { path, text } of interpretedViolations(units.errors, message, rule.schema, { draft4: rule.draft4, quoteValues })) {
      into.push({ path, rule: rule.label, text: `${text} (${rule.label})` })
    }
  }

  const check = planCheck(
    (message) =>
      message.type === "track"
        ? byKey.get(`track:${String(message.event)}`)
        : typeof message.type === "string"
          ? byKey.get(message.type)
          : undefined,
    common,
    run
  )
  return { plan, check }
}
