/**
 * A tracking plan that cannot be used: unreadable JSON, an unknown shape, or a rule whose schema is broken.
 * Carries the file, and the rule and field at fault when there is one, so the message can name them.
 */
export class TrackingPlanError extends Error {
  readonly _tag = "TrackingPlanError"
  readonly origin: string
  /** The rule's place in the plan ("rules[2]", "rules.events[0]"); undefined when the whole file is at fault. */
  readonly rule: string | undefined
  readonly field: string | undefined

  constructor(args: { readonly origin: string; readonly rule?: string; readonly field?: string; readonly reason: string }) {
    const where = [args.rule, args.field].filter((part) => part !== undefined).join(".")
    super(`tracking plan ${args.origin}${where === "" ? "" : ` (${where})`}: ${args.reason}`)
    this.name = "TrackingPlanError"
    this.origin = args.origin
    this.rule = args.rule
    this.field = args.field
  }
}
