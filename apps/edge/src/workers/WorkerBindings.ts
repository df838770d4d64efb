import type { ChunkMessage } from "../ChunkMessage.ts"
import type { EdgeVars } from "../EdgeConfig.ts"
import type { DeadLetter } from "./DeadLetter.ts"
import type { RunState } from "./RunState.ts"
import type { RunHistoryBindings } from "./WorkerRunHistory.ts"

/** The Worker's bindings, as declared in wrangler.jsonc (secrets and vars come from `EdgeVars`). */
export interface WorkerBindings extends EdgeVars, RunHistoryBindings {
  /** Chunks of queued runs, consumed by this same Worker. */
  readonly RUN_CHUNKS: Queue<ChunkMessage>
  /** Chunks that could not be delivered, kept for inspection and replay. */
  readonly RUN_DEAD_LETTERS: Queue<DeadLetter>
  /** One Durable Object per queued run: its progress and outcome. */
  readonly RUN_STATE: DurableObjectNamespace<RunState>
  /** Optional rate limit on run requests (a Workers rate-limiting binding). */
  readonly RUN_LIMITER?: RateLimit
  /** Runs the Cron Trigger starts: a JSON array (an object in wrangler.jsonc vars, or its text). */
  readonly SCHEDULED_RUNS?: unknown
}

/** The Durable Object stub of one queued run. */
export const runState = (env: WorkerBindings, runId: string) => env.RUN_STATE.get(env.RUN_STATE.idFromName(runId))
