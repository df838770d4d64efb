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
   * The contract taken apart for one shape of message (see `ShapeCheck`), so that a mapper can pass a
   * message without building it as an object; undefined when it cannot be (then `check` sees every message).
   */
  readonly checkShape?: (shape: MessageShape) => ShapeCheck | undefined
  /**
   * The contract as plain data, for a source that maps rows in a worker thread (`RowSourceShape.prepare`):
   * the worker builds the same check from it (a tracking plan, compiled there with @tablecast/tracking-plan).
   * Without it, a run with a contract maps its rows on its own thread.
   */
  readonly portable?: PortableContract
  /** The tests `checkShape` compiles for these shapes, as code a worker can revive (`PortableContract.tests`). */
  readonly portableTests?: (shapes: ReadonlyArray<MessageShape>) => Readonly<Record<string, string>>
}

/** What all the messages a mapper builds for one call share, known before any row. */
export interface MessageShape {
  readonly type: "track" | "identify" | "group"
  /** The members every message of the shape carries, with these values: `type`, `event`, `context`, `integrations`. */
  readonly fixed: Readonly<Record<string, unknown>>
  /** The members a row gives, when it has a value for them: `userId`, `anonymousId`, `groupId`, `timestamp`, `messageId`. */
  readonly varying: ReadonlyArray<string>
  /** The member holding the payload object, which is written key by key. */
  readonly payload: "properties" | "traits"
}

/** Whether one value (as `JSON.parse` of its text gives it) keeps a contract's rule for it. */
export type ValueTest = (value: unknown) => boolean

/**
 * A contract taken apart for one `MessageShape`: a test per varying member and per payload key, and
 * the members and keys that must be present. A message of the shape whose values all pass their tests
 * and which has every required member and key keeps the contract — `check` would find nothing, and
 * `unplanned` is what it would say. A message that fails here goes to `check`, for its violations.
 */
export interface ShapeCheck {
  readonly unplanned: boolean
  /** The test of a varying member's value; undefined when any value passes. */
  readonly member: (name: string) => ValueTest | undefined
  readonly requiredMembers: ReadonlyArray<string>
  /** The test of a payload key's value; undefined when any value passes. */
  readonly payloadKey: (key: string) => ValueTest | undefined
  readonly requiredPayloadKeys: ReadonlyArray<string>
}

/** A tracking plan as `@tablecast/tracking-plan`'s `compileTrackingPlan` takes it, with the origin its texts name. */
export interface PortableContract {
  readonly trackingPlan: unknown
  readonly origin: string
  /**
   * The tests `checkShape` compiles for the run's shapes of message, as code (`portableTests`): a worker
   * revives them rather than compiling the plan again.
   */
  readonly tests?: Readonly<Record<string, string>>
}

/** The contract of a run; absent (the default), no message is checked and nothing is parsed. */
export const MessageContract = Context.Reference<MessageContractShape | undefined>("tablecast/MessageContract", {
  defaultValue: () => undefined
})
