import { readFile } from "node:fs/promises"
import { type RecordingProxy, startRecordingProxy } from "@tablecast/faults-tests/support/RecordingProxy"
import { WRITE_KEY } from "@tablecast/faults-tests/support/SyncCommand"
import { type Sink, startSink } from "@tablecast/sink"
import type { Faults } from "./HostileTable.ts"
import type { Observed, StoredMessage } from "./Properties.ts"

export { WRITE_KEY }

/** How late a "lost answer" comes, and the client timeout it misses. */
export const LostAnswer = { delayMillis: 800, clientTimeoutMillis: 500 } as const

/**
 * The local receiver (the sink, injecting the case's 5xx, resets and late answers) behind the
 * recording proxy of tests/faults (answering the case's 400s, and recording every request and
 * what was acknowledged to the client).
 */
export interface Receiver {
  readonly url: string
  readonly proxy: RecordingProxy
  /** Waits for late answers to land, stops both, and reads back what the receiver stored. */
  readonly finish: () => Promise<Pick<Observed, "received" | "acknowledged" | "requests">>
}

export const startReceiver = async (faults: Faults, out: string): Promise<Receiver> => {
  const sink: Sink = await startSink({
    out,
    writeKeys: [WRITE_KEY],
    seed: faults.seed,
    serverErrorShare: faults.serverErrorShare,
    dropShare: faults.dropShare,
    ...(faults.lostAnswers ? { delayMillis: LostAnswer.delayMillis, slowShare: 0.3 } : {})
  })
  const proxy = await startRecordingProxy(sink.url)
  const refuse = new Set(faults.refuseRequests)
  proxy.intercept((request) =>
    refuse.has(request.number)
      ? { status: 400, body: { success: false, message: `hostile suite: batch refused (request ${request.number})` } }
      : undefined
  )
  let finished = false
  return {
    url: proxy.url,
    proxy,
    finish: async () => {
      if (!finished) {
        finished = true
        // A batch whose answer came after the client's timeout is still stored: let it land.
        if (faults.lostAnswers) await new Promise((resolve) => setTimeout(resolve, LostAnswer.delayMillis + 300))
        await proxy.close()
        await sink.close()
      }
      return {
        received: await readStored(out),
        acknowledged: new Set(proxy.acknowledged.keys()),
        requests: proxy.requests.map((request) => ({ number: request.number, messageIds: request.messageIds, status: request.status }))
      }
    }
  }
}

/** The receiver's JSONL file, one message per line; none when it wrote nothing. */
export const readStored = async (file: string): Promise<Array<StoredMessage>> => {
  let text: string
  try {
    text = await readFile(file, "utf8")
  } catch {
    return []
  }
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as StoredMessage)
}
