import type { RunRecord, RunSettingValue, RunTrigger } from "@tablecast/core"

/** How the edge carried a run out: answered with its report, or delivered through the queue. */
export type EdgeRunMode = "sync" | "queue"

/** What the edge adds to a run record: its own run id (for `GET /v1/runs/:runId`), the mode and whether it is done. */
interface EdgeRunFields {
  /** The run id the edge answered with (a UUID); `id` is the record's id, sortable by start time. */
  readonly runId: string
  readonly mode: EdgeRunMode
}

/** A finished run: core's run record, with the edge's fields. */
export type DoneEdgeRun = RunRecord &
  EdgeRunFields & {
    readonly state: "done"
    /** A queued run's chunks: how many, how many went to the dead-letter queue, and the rows never read (the run stopped first). */
    readonly queue?: { readonly chunks: number; readonly deadLettered: number; readonly rows: number; readonly unread: number }
  }

/** A queued run still being delivered: what is known when it is accepted. */
export interface RunningEdgeRun extends EdgeRunFields {
  readonly state: "running"
  readonly id: string
  readonly sync: string
  readonly trigger: RunTrigger
  readonly source: string
  readonly endpoint: string
  readonly startedAt: string
  readonly dryRun: boolean
  readonly settings: Readonly<Record<string, RunSettingValue>>
  readonly queue: { readonly chunks: number; readonly rows: number }
}

/** One entry of the edge's run history, as `GET /v1/runs` lists it. */
export type EdgeRun = DoneEdgeRun | RunningEdgeRun

/** A page of the run history, newest first; `nextCursor` asks for the page after it. */
export interface RunPage {
  readonly runs: ReadonlyArray<EdgeRun>
  readonly nextCursor?: string
}

/** Where the edge records its runs (a Durable Object on Workers). */
export interface EdgeRunHistory {
  /** Adds a run (a synchronous one when done, a queued one when accepted), applying the retention. */
  readonly add: (run: EdgeRun) => Promise<void>
  readonly list: (page: { readonly limit: number; readonly cursor?: string }) => Promise<RunPage>
}
