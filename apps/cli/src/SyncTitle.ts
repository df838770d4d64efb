import { callsOf, type SyncSpec } from "@tablecast/core"

/**
 * A sync as a heading names it: its name, or its calls (`identify + group`, `track "Churn Scored"`)
 * where the messageIds' namespace (`identify,group:`) would read as a typo.
 */
export const syncTitle = (spec: Pick<SyncSpec, "name" | "type" | "event">): string =>
  spec.name ??
  callsOf(spec.type)
    .map((call) => (call === "track" && spec.event !== undefined ? `track ${JSON.stringify(spec.event)}` : call))
    .join(" + ")
