/** The churn plan of the tests, in both of Segment's shapes: a type rule, a required property and an enum. */
const churnProperties = {
  type: "object",
  properties: {
    churn_score: { type: "number", minimum: 0, maximum: 1 },
    segment: { type: "string", enum: ["high", "medium", "low"] },
    model: { type: ["string", "null"] }
  },
  required: ["churn_score", "segment"]
}

const traits = {
  type: "object",
  properties: { email: { type: "string", format: "email" }, plan: { type: "string" } },
  required: ["email"]
}

export const churnPublicApi = {
  rules: [
    {
      type: "TRACK",
      key: "Churn Scored",
      version: 1,
      jsonSchema: {
        $schema: "http://json-schema.org/draft-07/schema#",
        type: "object",
        labels: {},
        properties: { context: {}, traits: {}, properties: churnProperties },
        required: ["properties"]
      }
    },
    {
      type: "IDENTIFY",
      version: 1,
      jsonSchema: { $schema: "http://json-schema.org/draft-07/schema#", properties: { traits } }
    },
    { type: "GROUP", version: 1, jsonSchema: { properties: { traits: { type: "object", required: ["name"] } } } },
    { type: "PAGE", key: "Home", version: 1, jsonSchema: { properties: {} } }
  ]
}

export const churnConfigApi = {
  name: "workspaces/acme/tracking-plans/rs_1",
  display_name: "Churn",
  rules: {
    global: {},
    events: [
      {
        name: "Churn Scored",
        version: 1,
        description: "a model's score",
        rules: {
          $schema: "http://json-schema.org/draft-04/schema#",
          type: "object",
          properties: { context: {}, traits: {}, properties: churnProperties },
          required: ["properties"]
        }
      }
    ],
    identify: { $schema: "http://json-schema.org/draft-07/schema#", properties: { traits } },
    group: {},
    identify_traits: [],
    group_traits: []
  }
}
