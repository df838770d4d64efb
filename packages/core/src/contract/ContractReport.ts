import type { ContractMode } from "./MessageContract.ts"

/** A row whose messages broke the contract, with the violations' texts (the first rows only). */
export interface ContractRow {
  readonly row: number
  readonly violations: ReadonlyArray<string>
}

/** What a run's tracking plan found: in `DeliveryReport.trackingPlan` and `PreviewResult.trackingPlan`. */
export interface ContractReport {
  /** The plan, as the app names it (its file). */
  readonly plan: string
  readonly mode: ContractMode
  readonly messagesChecked: number
  /** Violations found, every one counted (a row may have several). */
  readonly violations: number
  /** Rows with at least one violation: rejected in `reject` mode, sent with warnings in `warn` mode. */
  readonly rowsWithViolations: number
  /** Track messages whose event no rule names: sent (Segment Protocols' "unplanned events"), counted here. */
  readonly unplannedMessages: number
  /** The unplanned events' names (the first ones). */
  readonly unplannedEvents: ReadonlyArray<string>
  /** Violations per rule (`TRACK "Churn Scored" v1`). */
  readonly byRule: Readonly<Record<string, number>>
  /** Violations per property and rule (`properties.churn_score (TRACK "Churn Scored" v1)`). */
  readonly byProperty: Readonly<Record<string, number>>
  /** The first rows with violations, with their texts. */
  readonly firstRows: ReadonlyArray<ContractRow>
  /** `warn` mode: where the app wrote every row sent with warnings (`WarningSink`), when it kept them. */
  readonly warningsFile?: string
}
