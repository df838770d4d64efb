import type { EdgeConfig } from "../EdgeConfig.ts"
import type { EdgeRunHistory } from "../history/EdgeRunEntry.ts"
import type { RunHistoryStore } from "./RunHistoryStore.ts"

/** The bindings the run history needs (RunState reaches it too, without the Worker's other bindings). */
export interface RunHistoryBindings {
  readonly RUN_HISTORY: DurableObjectNamespace<RunHistoryStore>
}

/** The one Durable Object holding the deployment's run history. */
export const runHistoryStore = (env: RunHistoryBindings) => env.RUN_HISTORY.get(env.RUN_HISTORY.idFromName("runs"))

/** The run history on Workers, under the deployment's retention. */
export const workerRunHistory = (env: RunHistoryBindings, config: EdgeConfig): EdgeRunHistory => {
  const store = runHistoryStore(env)
  const maxAgeDays = config.limits.RUN_HISTORY_MAX_DAYS
  return {
    add: (run) => store.add(run, { maxRuns: config.limits.RUN_HISTORY_MAX_RUNS, maxAgeDays }),
    list: (page) => store.list({ ...page, maxAgeDays })
  }
}
