import { type DeliveryReport, type Transport, VERSION } from "@tablecast/core"
import { type OtelSettings, OtelSettingsError, otelSettingsOf } from "@tablecast/telemetry/settings"
import type * as Effect from "effect/Effect"
import { OptionsError } from "./Errors.ts"

/** Wraps a run's effect in its telemetry, or leaves it as it is. */
export type RunInstrument<A> = <E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R | Transport>

const settingsOf = (env: Readonly<Record<string, string | undefined>>): OtelSettings | undefined => {
  try {
    return otelSettingsOf(env)
  } catch (error) {
    // Names the variable, never its value (OTEL_EXPORTER_OTLP_HEADERS holds keys).
    if (error instanceof OtelSettingsError) throw new OptionsError(error.message, error.variable)
    throw error
  }
}

/**
 * A run's telemetry, as the CLI's: with the standard OTEL_* variables set
 * (docs/operations/metrics-and-traces.md), `@tablecast/telemetry`'s exporter is imported and the run
 * traced and measured; without them nothing more is imported and the run is left as it is.
 * Throws an {@link OptionsError} naming a variable it cannot use.
 */
export const telemetryOf = async <A>(
  run: { readonly syncName: string | undefined; readonly kind: "sync" | "incremental" },
  reportOf: (result: A) => DeliveryReport,
  env: Readonly<Record<string, string | undefined>> = process.env
): Promise<RunInstrument<A>> => {
  const settings = settingsOf(env)
  if (settings === undefined) return (effect) => effect
  const { withRunTelemetry } = await import("@tablecast/telemetry")
  return withRunTelemetry(settings, run, reportOf, VERSION)
}
