import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type { CliError } from "./ExitCode.ts"

/**
 * The CLI's one Effect→Promise bridge. The effect's errors must be CliErrors, translated from the
 * ports' own with `Effect.catchTags` where the effect is built; they reject the promise as they are
 * (BaseCommand turns them into their message and exit code). A defect rejects as an Error (exit 1).
 */
export const runEffect = async <A>(effect: Effect.Effect<A, CliError>): Promise<A> => {
  const exit = await Effect.runPromiseExit(effect)
  if (Exit.isSuccess(exit)) return exit.value
  const error = Cause.squash(exit.cause)
  throw error instanceof Error ? error : new Error(String(error))
}
