import path from "node:path"
import { startSink } from "./Processes.ts"
import { type ReceivedMessage, readReceived } from "./Workdir.ts"

/**
 * Runs `body` against a fresh `tablecast sink` (on a free port, writing to `<dir>/<label>.jsonl`),
 * then stops it and returns what it accepted beside what `body` returned.
 */
export const withReceiver = async <A>(
  dir: string,
  label: string,
  body: (endpoint: string) => Promise<A>
): Promise<{ readonly result: A; readonly received: Array<ReceivedMessage> }> => {
  const out = path.join(dir, `received-${label}.jsonl`)
  const sink = await startSink(out)
  let result: A
  try {
    result = await body(sink.url)
  } finally {
    await sink.stop()
  }
  return { result, received: await readReceived(out) }
}
