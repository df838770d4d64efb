import { type CliOptions, type CliResult, startCli } from "./Cli.ts"
import type { RecordingProxy } from "./RecordingProxy.ts"
import { sleep, waitFor } from "./Wait.ts"

/**
 * Starts the command and SIGKILLs it `afterMillis` after its first request reached the proxy.
 * Returns undefined when the run ended on its own first.
 */
export const killMidRun = async (
  args: ReadonlyArray<string>,
  proxy: RecordingProxy,
  afterMillis: number,
  options: CliOptions = {}
): Promise<CliResult | undefined> => {
  const requestsBefore = proxy.requests.length
  const cli = startCli(args, options)
  let ended = false
  void cli.exited.then(() => (ended = true))
  await waitFor("the run's first request", () => ended || proxy.requests.length > requestsBefore)
  await sleep(afterMillis)
  if (ended) return undefined
  cli.kill("SIGKILL")
  return cli.exited
}
