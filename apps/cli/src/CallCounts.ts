import { callsOf, type DeliveryReport, type SyncSpec } from "@tablecast/core"
import type { IncrementalPlan } from "@tablecast/incremental"

/**
 * The report with its messages by call type: an incremental run's from its plan (what it staged,
 * removals included), a plain run's from its rows, each mapped row building one message per call.
 */
export const withCallCounts = (report: DeliveryReport, spec: Pick<SyncSpec, "type">, plan: IncrementalPlan | undefined): DeliveryReport => {
  const calls = { identify: 0, group: 0, track: 0 }
  if (plan !== undefined) Object.assign(calls, plan.send.calls)
  else for (const call of callsOf(spec.type)) calls[call] = report.rows.mapped
  // Only when the counts account for every message built (a plan that ran ahead of a stopped run does not).
  if (calls.identify + calls.group + calls.track !== report.messages.built) return report
  return { ...report, messages: { ...report.messages, calls } }
}
