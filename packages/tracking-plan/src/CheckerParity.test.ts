import { describe, expect, it } from "vitest"
import { compileTrackingPlan } from "./CompiledPlan.js"
import { interpretTrackingPlan } from "./InterpretedPlan.js"
import { parseTrackingPlan } from "./ParseTrackingPlan.js"
import { churnConfigApi, churnPublicApi } from "./testing/Plans.js"

// The Ajv checker (CLI, Promise API) and the interpreting one (edge worker) over the same plans and
// messages: the same violations, path for path and text for text.

const track = (properties: Record<string, unknown>, event = "Churn Scored") => ({
  type: "track",
  userId: "c1",
  event,
  properties,
  context: { library: { name: "tablecast", version: "1" } },
  messageId: "m"
})

/** A plan of one track rule over `properties`, in the draft `$schema` names. */
const planOf = (properties: Record<string, unknown>, $schema?: string) => ({
  rules: [
    {
      type: "TRACK",
      key: "Scored",
      version: 2,
      jsonSchema: { ...($schema === undefined ? {} : { $schema }), type: "object", properties: { properties }, required: ["properties"] }
    }
  ]
})

const strictProperties = {
  type: "object",
  properties: {
    score: { type: "number", minimum: 0, maximum: 1 },
    rank: { type: "integer", exclusiveMinimum: 0, exclusiveMaximum: 100, multipleOf: 1 },
    tier: { enum: ["gold", "silver", 3, null] },
    email: { type: "string", format: "email" },
    at: { type: "string", format: "date-time" },
    day: { type: "string", format: "date" },
    site: { type: "string", format: "uri" },
    id: { type: "string", format: "uuid" },
    code: { type: "string", minLength: 2, maxLength: 4 },
    tags: { type: "array", items: { type: "string" }, minItems: 1, maxItems: 2 },
    nested: { type: "object", properties: { "a b": { type: "boolean" }, "x/y": { type: "number" } }, required: ["a b"] },
    either: { type: ["string", "null"] }
  },
  required: ["score", "tier"],
  additionalProperties: false
}

const messages: ReadonlyArray<Record<string, unknown>> = [
  track({ score: 0.5, tier: "gold" }, "Scored"),
  track({ score: "0.5", tier: "gold" }, "Scored"),
  track({ tier: "gold" }, "Scored"),
  track({}, "Scored"),
  track({ score: 1.5, tier: "bronze" }, "Scored"),
  track({ score: -1, tier: 4, rank: 0 }, "Scored"),
  track({ score: 0, tier: null, rank: 100 }, "Scored"),
  track({ score: 0, tier: 3, rank: 2.5 }, "Scored"),
  track({ score: 0, tier: "gold", email: "not-an-email", at: "yesterday", day: "2026-13-45", site: "no scheme", id: "xyz" }, "Scored"),
  track(
    {
      score: 0,
      tier: "gold",
      email: "a@b.co",
      at: "2026-12-08T00:00:00.000Z",
      day: "2026-12-08",
      site: "https://x.io/a",
      id: "0f8fad5b-d9cb-469f-a165-70867728950e"
    },
    "Scored"
  ),
  track({ score: 0, tier: "gold", code: "a" }, "Scored"),
  track({ score: 0, tier: "gold", code: "abcde" }, "Scored"),
  track({ score: 0, tier: "gold", tags: [] }, "Scored"),
  track({ score: 0, tier: "gold", tags: ["a", 2, "c"] }, "Scored"),
  track({ score: 0, tier: "gold", nested: { "x/y": "1" } }, "Scored"),
  track({ score: 0, tier: "gold", either: 7 }, "Scored"),
  track({ score: 0, tier: "gold", extra: 1, "another one": "x" }, "Scored"),
  track({ score: "x", tier: "none", extra: true, code: 5 }, "Scored"),
  { type: "track", userId: "c1", event: "Scored", properties: "not an object" },
  { type: "track", userId: "c1", event: "Scored" },
  track({ anything: 1 }, "Unplanned")
]

const sorted = (
  plan: {
    check: (message: Readonly<Record<string, unknown>>) => {
      violations: ReadonlyArray<{ path: string; rule: string; text: string }>
      unplanned: boolean
    }
  },
  message: Record<string, unknown>
) => {
  const result = plan.check(message)
  return { unplanned: result.unplanned, violations: [...result.violations].sort((a, b) => a.text.localeCompare(b.text)) }
}

describe("the interpreted checker beside the Ajv one", () => {
  for (const [name, draft] of [
    ["draft-07", "http://json-schema.org/draft-07/schema#"],
    ["no $schema (draft-07)", undefined],
    ["2019-09", "https://json-schema.org/draft/2019-09/schema"],
    ["2020-12", "https://json-schema.org/draft/2020-12/schema"]
  ] as const) {
    it(`finds the same violations, worded alike: type, required, enum, bounds, formats, additional properties (${name})`, () => {
      const parsed = parseTrackingPlan(planOf(strictProperties, draft), "plan.json")
      const ajv = compileTrackingPlan(parsed, "plan.json")
      const interpreted = interpretTrackingPlan(parsed, "plan.json")
      let violations = 0
      for (const message of messages) {
        const expected = sorted(ajv, message)
        violations += expected.violations.length
        expect(sorted(interpreted, message), JSON.stringify(message)).toEqual(expected)
      }
      // The messages do break the plan, in many ways: the comparison is not between two empty lists.
      expect(violations).toBeGreaterThan(30)
    })
  }

  it("reads draft-04's boolean exclusive bounds as the Ajv path does", () => {
    const draft4 = {
      type: "object",
      properties: { score: { type: "number", minimum: 0, exclusiveMinimum: true, maximum: 1, exclusiveMaximum: true } }
    }
    const parsed = parseTrackingPlan(planOf(draft4, "http://json-schema.org/draft-04/schema#"), "plan.json")
    const ajv = compileTrackingPlan(parsed, "plan.json")
    const interpreted = interpretTrackingPlan(parsed, "plan.json")
    for (const score of [0, 1, 0.5, -2, 3]) {
      const message = track({ score }, "Scored")
      expect(sorted(interpreted, message)).toEqual(sorted(ajv, message))
    }
    expect(interpreted.check(track({ score: 0 }, "Scored")).violations.map((violation) => violation.text)).toEqual([
      'properties.score: must be > 0, got 0 (TRACK "Scored" v2)'
    ])
  })

  it("checks the churn plans of both Segment shapes alike, the common rule and identify/group included", () => {
    const withCommon = {
      rules: [
        ...churnPublicApi.rules,
        { type: "COMMON", version: 1, jsonSchema: { required: ["userId"], properties: { userId: { type: "string" } } } }
      ]
    }
    const churnMessages: ReadonlyArray<Record<string, unknown>> = [
      track({ churn_score: 0.4, segment: "high" }),
      track({ churn_score: "0.4", segment: "extreme", model: 3 }),
      track({ churn_score: 0.4 }),
      { type: "identify", userId: 5, traits: { email: "nope" } },
      { type: "identify", traits: {} },
      { type: "group", userId: "c1", groupId: "g", traits: {} },
      track({}, "Other")
    ]
    for (const plan of [withCommon, churnPublicApi, churnConfigApi]) {
      const parsed = parseTrackingPlan(plan, "plan.json")
      const ajv = compileTrackingPlan(parsed, "plan.json")
      const interpreted = interpretTrackingPlan(parsed, "plan.json")
      for (const message of churnMessages) expect(sorted(interpreted, message), JSON.stringify(message)).toEqual(sorted(ajv, message))
    }
  })

  it("follows local $refs to the keyword's own schema", () => {
    const withRef = {
      ...planOf({ type: "object", properties: { score: { $ref: "#/definitions/unit" } } }),
      rules: [
        {
          type: "TRACK",
          key: "Scored",
          version: 1,
          jsonSchema: {
            definitions: { unit: { type: "number", maximum: 1, enum: [0, 0.5, 1] } },
            properties: { properties: { properties: { score: { $ref: "#/definitions/unit" } } } }
          }
        }
      ]
    }
    const parsed = parseTrackingPlan(withRef, "plan.json")
    const ajv = compileTrackingPlan(parsed, "plan.json")
    const interpreted = interpretTrackingPlan(parsed, "plan.json")
    for (const score of ["x", 2, 0.7, 0.5]) {
      const message = track({ score }, "Scored")
      expect(sorted(interpreted, message)).toEqual(sorted(ajv, message))
    }
  })

  it("applies a $ref's sibling keywords as Ajv does, and words combinators and dependencies alike", () => {
    for (const [$schema, defs] of [
      [undefined, "definitions"],
      ["http://json-schema.org/draft-04/schema#", "definitions"],
      ["https://json-schema.org/draft/2020-12/schema", "$defs"]
    ] as const) {
      const properties = {
        type: "object",
        properties: {
          score: { $ref: `#/${defs}/number`, maximum: 1 },
          any: { anyOf: [{ type: "string" }, { type: "number" }] },
          one: { oneOf: [{ type: "number" }, { type: "integer" }] },
          fixed: { const: "x" },
          not: { not: { type: "string" } },
          needs: { type: "object", dependencies: { a: ["b"] } },
          // biome-ignore lint/suspicious/noThenProperty: JSON Schema's keyword
          conditional: { if: { type: "number" }, then: { minimum: 5 } },
          typed: { type: "array", items: { type: "number" }, uniqueItems: true },
          untyped: { type: "array", uniqueItems: true }
        }
      }
      const jsonSchema = { ...($schema === undefined ? {} : { $schema }), [defs]: { number: { type: "number" } }, properties: { properties } }
      const parsed = parseTrackingPlan({ rules: [{ type: "TRACK", key: "Scored", version: 1, jsonSchema }] }, "plan.json")
      const ajv = compileTrackingPlan(parsed, "plan.json")
      const interpreted = interpretTrackingPlan(parsed, "plan.json")
      const message = track(
        {
          score: 5,
          any: true,
          one: 3,
          fixed: "y",
          not: "s",
          needs: { a: 1 },
          conditional: 2,
          typed: [1, 2, 1, 3, 2],
          untyped: [{ a: 1 }, 2, { a: 1 }]
        },
        "Scored"
      )
      expect(sorted(interpreted, message), $schema).toEqual(sorted(ajv, message))
      expect(sorted(ajv, message).violations.length).toBe(12)
    }
  })

  it("disagrees only at the formats' edge cases, each listed here (ajv-formats' and @cfworker/json-schema's own readings)", () => {
    const values: Record<string, ReadonlyArray<string>> = {
      "date-time": [
        "2026-12-08T00:00:00.000Z",
        "2026-12-08T00:00:00",
        "2026-12-08 00:00:00Z",
        "2026-12-08T00:00:00+01:00",
        "2026-02-30T00:00:00Z"
      ],
      date: ["2026-12-08", "2026-02-30", "2026-12-8", "20261208"],
      time: ["00:00:00Z", "00:00:00", "12:00:00+01:00"],
      email: ["a@b.co", "a@b", "a.b@c-d.io", "a..b@c.io", '"q"@x.io', "a@[1.2.3.4]"],
      uri: ["https://x.io", "mailto:a@b.co", "x.io", "urn:isbn:123", "https://x.io/a b"],
      uuid: ["0f8fad5b-d9cb-469f-a165-70867728950e", "urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e", "0f8fad5bd9cb469fa16570867728950e"],
      ipv4: ["1.2.3.4", "256.1.1.1", "01.2.3.4"],
      hostname: ["x.io", "-x.io", "a_b.io", "localhost"]
    }
    const formats = Object.fromEntries(Object.keys(values).map((format) => [format, { type: "string", format }]))
    const parsed = parseTrackingPlan(planOf({ type: "object", properties: formats }), "plan.json")
    const ajv = compileTrackingPlan(parsed, "plan.json")
    const interpreted = interpretTrackingPlan(parsed, "plan.json")
    const disagreements: Array<string> = []
    for (const [format, list] of Object.entries(values)) {
      for (const value of list) {
        const message = track({ [format]: value }, "Scored")
        const [byAjv, byInterpreter] = [ajv, interpreted].map((plan) => plan.check(message).violations.length > 0)
        if (byAjv !== byInterpreter) disagreements.push(`${format} ${JSON.stringify(value)}: ${byAjv ? "Ajv refuses" : "Ajv accepts"}`)
      }
    }
    expect(disagreements).toEqual([
      'email "a@b": Ajv refuses',
      'email "\\"q\\"@x.io": Ajv refuses',
      'email "a@[1.2.3.4]": Ajv refuses',
      'uuid "urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e": Ajv accepts',
      'ipv4 "01.2.3.4": Ajv refuses'
    ])
  })
})
