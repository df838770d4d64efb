// The tracking plan check (@tablecast/tracking-plan) as a user installs it: run with the folder where
// the packed tarballs were installed with npm as the current folder. Parses a plan in both of
// Segment's shapes, compiles it (Ajv, installed with it) and checks messages: the violation texts
// name the property and the rule. Exits 0, or 1 with a message.
import { createRequire } from "node:module"
import path from "node:path"
import { pathToFileURL } from "node:url"

const exitWith = (message) => {
  console.error(`library-tracking-plan: ${message}`)
  process.exit(1)
}

const installed = createRequire(path.join(process.cwd(), "package.json"))
let trackingPlan
try {
  trackingPlan = await import(pathToFileURL(installed.resolve("@tablecast/tracking-plan")).href)
} catch (error) {
  exitWith(`cannot import @tablecast/tracking-plan from ${process.cwd()}: ${error.message}`)
}
const { compileTrackingPlan, parseTrackingPlan, plannedProperties, TrackingPlanError } = trackingPlan

const schema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  properties: {
    properties: {
      type: "object",
      properties: { churn_score: { type: "number" }, segment: { enum: ["high", "low"] }, email: { type: "string", format: "email" } },
      required: ["churn_score"]
    }
  }
}
const shapes = {
  "public-api": { rules: [{ type: "TRACK", key: "Churn Scored", version: 1, jsonSchema: schema }] },
  "config-api": { rules: { events: [{ name: "Churn Scored", version: 1, rules: schema }] } }
}
for (const [format, json] of Object.entries(shapes)) {
  const plan = parseTrackingPlan(json, "plan.json")
  if (plan.format !== format) exitWith(`read as ${plan.format}, not ${format}`)
  const paths = plannedProperties(plan.rules[0]).map((property) => property.path)
  if (paths.join() !== "properties.churn_score,properties.segment,properties.email") exitWith(`planned properties: ${paths.join()}`)
  const { check } = compileTrackingPlan(plan, "plan.json")
  const texts = check({ type: "track", event: "Churn Scored", properties: { churn_score: "0.5", segment: "mid", email: "x" } }).violations.map(
    (violation) => violation.text
  )
  const expected = [
    'properties.churn_score: must be number, got string (TRACK "Churn Scored" v1)',
    'properties.segment: must be one of "high", "low", got "mid" (TRACK "Churn Scored" v1)',
    'properties.email: must match format "email", got "x" (TRACK "Churn Scored" v1)'
  ]
  if (JSON.stringify(texts) !== JSON.stringify(expected)) exitWith(`${format}: violations ${JSON.stringify(texts)}`)
  if (check({ type: "track", event: "Churn Scored", properties: { churn_score: 0.5 } }).violations.length !== 0)
    exitWith(`${format}: a good message failed`)
}
// The tests a sending thread hands a worker, revived from their code through the installed
// `@tablecast/tracking-plan/revived` (Ajv's runtime modules, the email format here, resolved from the install).
const { revivedShapeChecks } = await import(pathToFileURL(installed.resolve("@tablecast/tracking-plan/revived")).href)
const compiled = compileTrackingPlan(parseTrackingPlan(shapes["public-api"], "plan.json"), "plan.json")
const shape = {
  type: "track",
  fixed: { type: "track", event: "Churn Scored", context: {} },
  varying: ["userId", "messageId"],
  payload: "properties"
}
const revived = (await revivedShapeChecks(compiled.plan, compiled.portableTests([shape])))(shape)
if (revived === undefined) exitWith("the revived tests did not take the shape apart")
for (const [key, value, passes] of [
  ["churn_score", 0.5, true],
  ["churn_score", "0.5", false],
  ["segment", "mid", false],
  ["email", "me@example.com", true],
  ["email", "x", false]
]) {
  if (revived.payloadKey(key)(value) !== passes) exitWith(`revived test of ${key} said ${!passes} for ${JSON.stringify(value)}`)
}
if (revived.requiredPayloadKeys.join() !== "churn_score") exitWith(`revived required keys: ${revived.requiredPayloadKeys.join()}`)

try {
  parseTrackingPlan({ events: [] }, "plan.json")
  exitWith("an unknown shape was read")
} catch (error) {
  if (!(error instanceof TrackingPlanError)) exitWith(`an unknown shape threw ${error}`)
}
console.log("library-tracking-plan: both shapes parsed, compiled and checked; the portable tests revived")
