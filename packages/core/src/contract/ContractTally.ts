import type { BuiltMessage } from "../map/BuiltMessage.ts"
import type { ContractReport, ContractRow } from "./ContractReport.ts"
import type { ContractCheck, ContractViolation, MessageContractShape } from "./MessageContract.ts"

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
  /** The sync's event: the name of its unplanned track messages. */
  readonly event: string | undefined
  #messagesChecked = 0
  #violations = 0
  #rowsWithViolations = 0
  #unplannedMessages = 0
  readonly #unplannedEvents = new Set<string>()
  readonly #byRule: Record<string, number> = {}
  readonly #byProperty: Record<string, number> = {}
  readonly #firstRows: Array<ContractRow> = []

  constructor(contract: MessageContractShape, event?: string) {
    this.contract = contract
    this.event = event
  }

  /**
   * The violations of a row's messages (empty when they keep the contract), counted: each message
   * parsed back from its text. A row mapped with the check (`MapperOptions.check`) goes to `recordRow`.
   */
  checkRow(row: number, messages: ReadonlyArray<BuiltMessage>): ReadonlyArray<ContractViolation> {
    const checks: Array<ContractCheck> = []
    let event: unknown
    for (const message of messages) {
      const object = JSON.parse(message.json) as Record<string, unknown>
      if (object.type === "track") event = object.event
      checks.push(this.contract.check(object))
    }
    return this.recordRow(row, checks, typeof event === "string" ? event : undefined)
  }

  /** Counts messages a source checked and found keeping the contract (`PreparedRow.checked`). */
  recordPassed(messages: number): void {
    this.#messagesChecked += messages
  }

  /** Counts what checking a row's messages found; gives its violations (empty when it keeps the contract). */
  recordRow(row: number, checks: ReadonlyArray<ContractCheck>, event: string | undefined): ReadonlyArray<ContractViolation> {
    let found: Array<ContractViolation> | undefined
    for (const checked of checks) {
      this.#messagesChecked++
      if (checked.unplanned) {
        this.#unplannedMessages++
        if (this.#unplannedEvents.size < CONTRACT_SAMPLE && event !== undefined) this.#unplannedEvents.add(event)
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
