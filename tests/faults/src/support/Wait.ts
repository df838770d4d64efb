import { setTimeout as sleep } from "node:timers/promises"

export { sleep }

/** Polls `check` until it holds; fails, naming `what`, after `timeoutMillis`. */
export const waitFor = async (what: string, check: () => boolean | Promise<boolean>, timeoutMillis = 30_000): Promise<void> => {
  const deadline = Date.now() + timeoutMillis
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMillis} ms waiting for ${what}`)
    await sleep(10)
  }
}
