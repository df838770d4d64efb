import type { RunRetention } from "@tablecast/core"
import { DurableObject } from "cloudflare:workers"
import type { EdgeRun, RunPage } from "../history/EdgeRunEntry.ts"

const runKey = (id: string): string => `run:${id}`
const CountKey = "count"
/** Deletes per pass; the storage API takes at most 128 keys per delete. */
const DeleteBatch = 128

/** The start of a record id for an instant: ids compare as their start times do. */
const idStampOf = (at: number): string => new Date(at).toISOString().replace(/[-:.]/g, "")

/**
 * The run history of a deployment: one Durable Object (named "runs") holding a record per run,
 * keyed by the record id, which sorts by start time, so the newest come first when listed in
 * reverse. Bounded by a retention (the newest `maxRuns`, none older than `maxAgeDays`) applied
 * each time a run is added. Records hold counts, settings and outcomes: no row value, no secret.
 *
 * One object for every run: its calls run one at a time, which keeps the count exact, and a
 * deployment starts far fewer runs than the hundreds of calls a second one object takes.
 */
export class RunHistoryStore extends DurableObject {
  /** Adds (or replaces) a run, then drops what the retention no longer keeps. */
  async add(run: EdgeRun, retention: RunRetention): Promise<void> {
    const storage = this.ctx.storage
    const existed = (await storage.get(runKey(run.id))) !== undefined
    await storage.put(runKey(run.id), run)
    let count = ((await storage.get<number>(CountKey)) ?? 0) + (existed ? 0 : 1)
    if (retention.maxAgeDays !== undefined) {
      const end = runKey(idStampOf(Date.now() - retention.maxAgeDays * 86_400_000))
      for (;;) {
        const old = [...(await storage.list({ prefix: "run:", end, limit: DeleteBatch })).keys()]
        if (old.length === 0) break
        count -= await storage.delete(old)
      }
    }
    while (retention.maxRuns !== undefined && count > retention.maxRuns) {
      const oldest = [...(await storage.list({ prefix: "run:", limit: Math.min(DeleteBatch, count - retention.maxRuns) })).keys()]
      if (oldest.length === 0) break
      count -= await storage.delete(oldest)
    }
    await storage.put(CountKey, Math.max(0, count))
  }

  /** Replaces a run that is still kept (a queued run, once done); one the retention dropped stays dropped. */
  async finish(run: EdgeRun): Promise<void> {
    if ((await this.ctx.storage.get(runKey(run.id))) !== undefined) await this.ctx.storage.put(runKey(run.id), run)
  }

  /** Runs newest first, `limit` at a time, after the run `cursor` names; none older than `maxAgeDays`. */
  async list(page: { readonly limit: number; readonly cursor?: string; readonly maxAgeDays?: number }): Promise<RunPage> {
    const start = page.maxAgeDays === undefined ? undefined : runKey(idStampOf(Date.now() - page.maxAgeDays * 86_400_000))
    const found = await this.ctx.storage.list<EdgeRun>({
      prefix: "run:",
      reverse: true,
      limit: page.limit + 1,
      ...(page.cursor === undefined ? {} : { end: runKey(page.cursor) }),
      ...(start === undefined ? {} : { start })
    })
    const runs = [...found.values()]
    if (runs.length <= page.limit) return { runs }
    const shown = runs.slice(0, page.limit)
    return { runs: shown, nextCursor: shown[shown.length - 1]!.id }
  }

  /** How many runs are kept. */
  async size(): Promise<number> {
    return (await this.ctx.storage.get<number>(CountKey)) ?? 0
  }
}
