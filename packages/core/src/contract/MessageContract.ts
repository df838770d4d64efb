import * as Context from "effect/Context"

/** One way a message breaks its contract (a tracking plan's rule). */
export interface ContractViolation {
  /** The property at fault, "properties.churn_score"; "" for the message itself. */
  readonly path: string
  /** The rule broken, as the plan names it: `TRACK "Churn Scored" v1`. */
  readonly rule: string
  /** The whole text: `properties.churn_score: must be number, got string (TRACK "Churn Scored" v1)`. */
  readonly text: string
}

/** What checking one message found. */
export interface ContractCheck {
  readonly violations: ReadonlyArray<ContractViolation>
  /** A track message whose event no rule names (sent, and counted as unplanned). */
  readonly unplanned: boolean
}

/** `reject`: a violating row is rejected with its violations; `warn`: it is sent, and its violations counted. */
export type ContractMode = "reject" | "warn"

/**
 * A contract every message must keep before it is sent — a tracking plan, checked by an app with its
 * validator (core holds none). `check` gets the message as `JSON.parse` gives it, is called on the
 * run's one thread, must be cheap and never throw.
 */
export interface MessageContractShape {
  readonly mode: ContractMode
  /** Names the contract in reports, e.g. the plan's file. */
  readonly name: string
  readonly check: (message: Readonly<Record<string, unknown>>) => ContractCheck
  /**
   * The contract as plain data, for a source that maps rows in a worker thread (`RowSourceShape.prepare`):
   * the worker builds the same check from it (a tracking plan, compiled there with @tablecast/tracking-plan).
   * Without it, a run with a contract maps its rows on its own thread.
   */
  readonly portable?: PortableContract
}

/** A tracking plan as `@tablecast/tracking-plan`'s `compileTrackingPlan` takes it, with the origin its texts name. */
export interface PortableContract {
  readonly trackingPlan: unknown
  readonly origin: string
}

/** The contract of a run; absent (the default), no message is checked and nothing is parsed. */
export const MessageContract = Context.Reference<MessageContractShape | undefined>("tablecast/MessageContract", {
  defaultValue: () => undefined
})
