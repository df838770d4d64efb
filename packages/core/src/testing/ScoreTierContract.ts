import type { ContractMode, MessageContractShape } from "../contract/MessageContract.ts"

/** A hand-written contract for tests: `score` must be a number, `tier` gold or silver; violations name `rule`. */
export const scoreTierContract = (mode: ContractMode, rule: string): MessageContractShape => ({
  mode,
  name: "plan.json",
  check: (message) => {
    const properties = message.properties as Record<string, unknown>
    const violations = []
    if (typeof properties.score !== "number") {
      violations.push({ path: "properties.score", rule, text: `properties.score: must be number (${rule})` })
    }
    if (properties.tier !== "gold" && properties.tier !== "silver") {
      violations.push({ path: "properties.tier", rule, text: `properties.tier: must be one of (${rule})` })
    }
    return { violations, unplanned: false }
  }
})
