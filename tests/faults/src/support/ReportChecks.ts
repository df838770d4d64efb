import type { DeliveryReport } from "@tablecast/core"
import { expect } from "vitest"

/**
 * The report's own books balance: every row read is in one place, every message built is in one
 * place. A message counted twice (accepted after a retry and again, or accepted and undelivered)
 * breaks the second sum.
 */
export const expectBalancedReport = (report: DeliveryReport): void => {
  expect(report.rows.read, "rows.read = skipped + rejected + mapped").toBe(report.rows.skipped + report.rows.rejected + report.rows.mapped)
  expect(report.messages.built, "messages.built = accepted + refused + undelivered").toBe(
    report.messages.accepted + report.messages.refused + report.messages.undelivered
  )
  expect(report.messages.accepted).toBeLessThanOrEqual(report.messages.sent)
}

/** No secret in anything the CLI printed or wrote. */
export const expectNoSecret = (texts: ReadonlyArray<string>, secret: string): void => {
  for (const text of texts) expect(text.includes(secret), "the write key appears in the output").toBe(false)
}
