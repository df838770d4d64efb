import * as Effect from "effect/Effect"
import type { EdgeError } from "./ErrorAnswer.ts"

/**
 * The edge's one way from an Effect to a Promise (Hono handlers and the queue consumer are
 * Promise-based). The error channel may hold only the edge's own errors, which `ErrorAnswer`
 * answers: a failure rejects with the typed error itself, a defect with the defect.
 */
export const runEdgeEffect = <A>(effect: Effect.Effect<A, EdgeError>): Promise<A> => Effect.runPromise(effect)
