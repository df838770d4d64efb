import type { ContractCheck, ShapeCheck, ValueTest } from "../contract/MessageContract.ts"

const PASSED: ContractCheck = { violations: [], unplanned: false }
const UNPLANNED: ContractCheck = { violations: [], unplanned: true }

/** A payload key's test looked up once; `null` when any value passes. */
type KnownTest = ValueTest | null

/** Payload keys remembered; loose records (JSON rows) may bring new keys on every row. */
const MOST_KEYS = 10_000

/**
 * Passes a message against a contract value by value, as the mapper writes it, without building it as
 * an object (`ShapeCheck`): the payload's values are shown with `put` as they are written, the row's
 * member values with `membersPass`. A message it cannot pass is not judged here: the mapper hands it to
 * the contract's `check`, which names the violations. One gate per call of a mapper; not reentrant.
 */
export class ShapeGate {
  /** What `check` would say of a message the gate passes. */
  readonly passed: ContractCheck
  readonly #shape: ShapeCheck
  readonly #tests = new Map<string, KnownTest>()
  readonly #required: ReadonlySet<string>
  // The varying members, their tests and whether each is required, side by side (no tuple to take apart per message).
  readonly #memberNames: ReadonlyArray<string>
  readonly #memberTests: ReadonlyArray<ValueTest | undefined>
  readonly #memberRequired: ReadonlyArray<boolean>
  #failed = false
  #requiredSeen = 0

  /** A gate for messages whose varying members are `varying`; undefined when the shape requires a member they never have. */
  static of(shape: ShapeCheck, varying: ReadonlyArray<string>): ShapeGate | undefined {
    return shape.requiredMembers.every((name) => varying.includes(name)) ? new ShapeGate(shape, varying) : undefined
  }

  private constructor(shape: ShapeCheck, varying: ReadonlyArray<string>) {
    this.#shape = shape
    this.passed = shape.unplanned ? UNPLANNED : PASSED
    this.#required = new Set(shape.requiredPayloadKeys)
    const required = new Set(shape.requiredMembers)
    this.#memberNames = varying
    this.#memberTests = varying.map((name) => shape.member(name))
    this.#memberRequired = varying.map((name) => required.has(name))
  }

  /** Starts a payload. */
  start(): void {
    this.#failed = false
    this.#requiredSeen = 0
  }

  /** One payload value, as `JSON.parse` of the payload's text gives it. */
  put(key: string, value: unknown): void {
    if (this.#failed) return
    let test = this.#tests.get(key)
    if (test === undefined) {
      test = this.#shape.payloadKey(key) ?? null
      if (this.#tests.size >= MOST_KEYS) this.#tests.clear()
      this.#tests.set(key, test)
    }
    if (test !== null && !test(value)) this.#failed = true
    else if (this.#required.has(key)) this.#requiredSeen++
  }

  /** Whether the payload shown since `start` keeps the contract: every value passed, every required key present. */
  payloadPasses(): boolean {
    return !this.#failed && this.#requiredSeen === this.#required.size
  }

  /**
   * Whether the message's varying members keep the contract: `messageId`, and the others as `members`
   * holds them (undefined when the message has none).
   */
  membersPass(members: object, messageId: string): boolean {
    for (let index = 0; index < this.#memberNames.length; index++) {
      const name = this.#memberNames[index]!
      const test = this.#memberTests[index]
      const value = name === "messageId" ? messageId : (members as Readonly<Record<string, unknown>>)[name]
      if (value === undefined) {
        if (this.#memberRequired[index] === true) return false
      } else if (test !== undefined && !test(value)) return false
    }
    return true
  }
}
