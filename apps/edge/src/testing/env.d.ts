import type { WorkerBindings } from "../workers/WorkerBindings.ts"

// The bindings the workerd tests see: the Worker's own, plus what vitest.config.ts adds for tests.
declare global {
  namespace Cloudflare {
    interface Env extends WorkerBindings {
      /** Dead letters copied by the test-only recorder worker. */
      readonly DEAD_LETTERS_SEEN: KVNamespace
      /** A rate limiter of 1 run per minute, for the 429 test. */
      readonly TIGHT_LIMITER: RateLimit
    }
  }
}
