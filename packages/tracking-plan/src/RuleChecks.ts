/** One way a message breaks the plan: the property, the rule, and the whole text. */
export interface PlanViolation {
  readonly path: string
  readonly rule: string
  readonly text: string
}

/** What checking one message found: its violations, and whether it is a track event no rule names. */
export interface PlanCheck {
  readonly violations: ReadonlyArray<PlanViolation>
  readonly unplanned: boolean
}

const PASSED: PlanCheck = { violations: [], unplanned: false }
const UNPLANNED: PlanCheck = { violations: [], unplanned: true }

/**
 * A plan's check of one message, whatever validates its rules: the rule the message meets (`ruleOf`) and
 * the common rule, each `run` into the violations; a track event no rule names is unplanned.
 */
export const planCheck =
  <Rule>(
    ruleOf: (message: Readonly<Record<string, unknown>>) => Rule | undefined,
    common: Rule | undefined,
    run: (rule: Rule, message: unknown, into: Array<PlanViolation>) => void
  ) =>
  (message: Readonly<Record<string, unknown>>): PlanCheck => {
    const rule = ruleOf(message)
    const track = message.type === "track"
    if (rule === undefined && common === undefined) return track ? UNPLANNED : PASSED
    const violations: Array<PlanViolation> = []
    if (common !== undefined) run(common, message, violations)
    if (rule !== undefined) run(rule, message, violations)
    const unplanned = rule === undefined && track
    if (violations.length === 0) return unplanned ? UNPLANNED : PASSED
    return { violations, unplanned }
  }
