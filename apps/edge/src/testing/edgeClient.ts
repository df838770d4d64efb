import { createExecutionContext, env, SELF, waitOnExecutionContext } from "cloudflare:test"
import worker from "../worker.ts"
import { TestToken } from "./rows.ts"

export const auth = { authorization: `Bearer ${TestToken}` }

/** Calls the Worker with some variables changed (each new env object is configured afresh). */
export const callWorker = async (request: Request, vars: Record<string, unknown> = {}): Promise<Response> => {
  const ctx = createExecutionContext()
  const response = await worker.fetch(request as Request<unknown, IncomingRequestCfProperties>, { ...env, ...vars }, ctx)
  await waitOnExecutionContext(ctx)
  return response
}

/** A JSON run request. */
export const runRequest = (body: unknown, headers: Record<string, string> = {}, query = ""): Request =>
  new Request(`http://edge.test/v1/runs${query}`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body)
  })

/** Polls a queued run's status until it is done. */
export const waitForRun = async (runId: string, timeoutMillis = 90_000): Promise<any> => {
  const deadline = Date.now() + timeoutMillis
  for (;;) {
    const response = await SELF.fetch(`http://edge.test/v1/runs/${runId}`, { headers: auth })
    if (response.status !== 200) throw new Error(`status answered ${response.status}: ${await response.text()}`)
    const status = (await response.json()) as { state: string }
    if (status.state === "done") return status
    if (Date.now() > deadline) throw new Error(`run ${runId} not done in time: ${JSON.stringify(status)}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

/** Dead letters of a run, as the test-only recorder copied them from the dead-letter queue. */
export const deadLettersOf = async (runId: string): Promise<Array<any>> => {
  const letters: Array<any> = []
  let cursor: string | undefined
  do {
    const page: KVNamespaceListResult<unknown> = await env.DEAD_LETTERS_SEEN.list(cursor === undefined ? {} : { cursor })
    for (const key of page.keys) {
      const letter = await env.DEAD_LETTERS_SEEN.get(key.name, "json")
      if ((letter as any)?.chunk?.runId === runId) letters.push(letter)
    }
    cursor = page.list_complete ? undefined : page.cursor
  } while (cursor !== undefined)
  return letters
}

/** One page of `GET /v1/runs`. */
export const listRuns = async (query = ""): Promise<{ runs: Array<any>; nextCursor?: string }> => {
  const response = await SELF.fetch(`http://edge.test/v1/runs${query}`, { headers: auth })
  if (response.status !== 200) throw new Error(`GET /v1/runs answered ${response.status}: ${await response.text()}`)
  return (await response.json()) as { runs: Array<any>; nextCursor?: string }
}

/** Every run of the history, newest first, walking the pages `limit` at a time. */
export const allRuns = async (limit = 200): Promise<Array<any>> => {
  const runs: Array<any> = []
  let cursor: string | undefined
  do {
    const page = await listRuns(`?limit=${limit}${cursor === undefined ? "" : `&cursor=${cursor}`}`)
    runs.push(...page.runs)
    cursor = page.nextCursor
  } while (cursor !== undefined)
  return runs
}

/** Polls the history until the run of `runId` is listed as done (a queued run's record lands just after its last chunk). */
export const waitForHistory = async (runId: string, timeoutMillis = 30_000): Promise<any> => {
  const deadline = Date.now() + timeoutMillis
  for (;;) {
    const run = (await allRuns()).find((entry) => entry.runId === runId)
    if (run?.state === "done") return run
    if (Date.now() > deadline) throw new Error(`run ${runId} not done in the history in time: ${JSON.stringify(run)}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}
