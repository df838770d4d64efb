import type { BuiltMessage } from "../map/BuiltMessage.ts"
import type { ContractReport, ContractRow } from "./ContractReport.ts"
import type { ContractViolation, MessageContractShape } from "./MessageContract.ts"

/** How many rows with violations, and unplanned event names, a report keeps. */
export const CONTRACT_SAMPLE = 20

const NONE: ReadonlyArray<ContractViolation> = []

const bump = (counts: Record<string, number>, key: string): void => {
  counts[key] = (counts[key] ?? 0) + 1
}

/**
 * Checks each row's messages against the run's contract and keeps the counts for the report. The
 * messages are text (written once, see `map/PayloadWriter`): each is parsed here, only when a
 * contract is in force.
 */
export class ContractTally {
  readonly contract: MessageContractShape
  #messagesChecked = 0
  #violations = 0
  #rowsWithViolations = 0
  #unplannedMessages = 0
  readonly #unplannedEvents = new Set<string>()
  readonly #byRule: Record<string, number> = {}
  readonly #byProperty: Record<string, number> = {}
  readonly #firstRows: Array<ContractRow> = []

  constructor(contract: MessageContractShape) {
    this.contract = contract
  }

  /** The violations of a row's messages (empty when they keep the contract), counted. */
  checkRow(row: number, messages: ReadonlyArray<BuiltMessage>): ReadonlyArray<ContractViolation> {
    let found: Array<ContractViolation> | undefined
    for (const message of messages) {
      const object = JSON.parse(message.json) as Record<string, unknown>
      const checked = this.contract.check(object)
      this.#messagesChecked++
      if (checked.unplanned) {
        this.#unplannedMessages++
        if (this.#unplannedEvents.size < CONTRACT_SAMPLE && typeof object.event === "string") this.#unplannedEvents.add(object.event)
      }
      if (checked.violations.length > 0) {
        found ??= []
        for (const violation of checked.violations) found.push(violation)
      }
    }
    if (found === undefined) return NONE
    this.#rowsWithViolations++
    this.#violations += found.length
    for (const violation of found) {
      bump(this.#byRule, violation.rule)
      bump(this.#byProperty, `${violation.path === "" ? "(message)" : violation.path} (${violation.rule})`)
    }
    if (this.#firstRows.length < CONTRACT_SAMPLE) this.#firstRows.push({ row, violations: found.map((violation) => violation.text) })
    return found
  }

  report(): ContractReport {
    return {
      plan: this.contract.name,
      mode: this.contract.mode,
      messagesChecked: this.#messagesChecked,
      violations: this.#violations,
      rowsWithViolations: this.#rowsWithViolations,
      unplannedMessages: this.#unplannedMessages,
      unplannedEvents: [...this.#unplannedEvents],
      byRule: { ...this.#byRule },
      byProperty: { ...this.#byProperty },
      firstRows: [...this.#firstRows]
    }
  }
}

/** A rejected row's reason: its violations' texts. */
export const contractReason = (violations: ReadonlyArray<ContractViolation>): string => violations.map((violation) => violation.text).join("; ")
