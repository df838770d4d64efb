// The worker side of `CsvReaderThread`: runs a `CsvReader` (and, when given the sync's mapping,
// maps each row) and posts its chunks, as many as the main thread has asked for and no more: that
// is the backpressure across the two threads. Imports nothing of Effect or zod, to stay light.
import { parentPort, workerData } from "node:worker_threads"
import type { MalformedRow, SourceItem, SourceRow } from "@tablecast/core"
import { compileMapper, type MapperContract } from "@tablecast/core/mapper"
import { CsvReader, type ReaderProbe } from "./CsvReader.ts"
import { compiledContract, revivedContract } from "./WorkerContract.ts"
import { encodeError, type EncodedChunk, type MainMessage, type WorkerInput, type WorkerMessage } from "./CsvReaderThread.ts"

const port = parentPort!
const { options, mapping } = workerData as WorkerInput
// The same mapping as the pipeline's, `auto` resolved by the same decided column types; the ids of
// the contents: the run numbers repeated contents itself (`recount`), in source order, over the
// rows mapped here and those it maps.
// With a tracking plan, each message is checked too: with the tests the sending thread compiled, revived
// here without Ajv, or (a shape they do not cover) with the plan compiled here. A row whose messages
// break the plan, or name an event it does not, comes as read, for the pipeline to map again and
// account for (reject, warn, count as unplanned).
const mapperWith = (contract: MapperContract | undefined) =>
  mapping === undefined
    ? undefined
    : compileMapper(mapping.spec, mapping.library, {
        columnTypes: mapping.columnTypes,
        countRepeats: false,
        ...(contract === undefined ? {} : { contract })
      })
const planned = mapping?.contract
const revived = planned === undefined ? undefined : await revivedContract(planned)
let map = mapperWith(revived?.contract)
if (planned !== undefined && (revived === undefined || revived.missedShape())) map = mapperWith(await compiledContract(planned))

/** Whether every message of a mapped row kept the plan (always, without one). */
const kept = (checks: ReadonlyArray<{ readonly violations: ReadonlyArray<unknown>; readonly unplanned: boolean }> | undefined) =>
  checks === undefined || checks.every((checked) => checked.violations.length === 0 && !checked.unplanned)
const probe: ReaderProbe = { bytesRead: 0, mostBufferedRows: 0, mostHeldBytes: 0 }
const post = (message: WorkerMessage) => port.postMessage(message)

let reader: CsvReader | undefined
/** One entry per chunk the main thread has asked for: whether to map its rows. */
const credits: Array<boolean> = []
let reading = false
let closing = false
let namesSent = false

const close = async () => {
  closing = true
  await reader?.close().catch(() => undefined)
  port.close()
}

/**
 * The row's messages, or undefined. A row the mapping cannot map, for whatever reason, comes as read:
 * the pipeline maps it again and rejects it with the reason. Never an error that ends the file.
 */
const mapSafely = (item: SourceRow) => {
  try {
    return map?.(item)
  } catch {
    return undefined
  }
}

const encode = (items: ReadonlyArray<SourceItem>, mapRows: boolean): EncodedChunk => {
  const chunk = {
    type: "chunk" as const,
    kinds: [] as Array<number>,
    rowNumbers: [] as Array<number>,
    fields: [] as Array<string>,
    malformed: [] as Array<MalformedRow>,
    messageTypes: [] as Array<"track" | "identify" | "group">,
    messageIds: [] as Array<string>,
    messageJson: [] as Array<string>,
    messageBytes: [] as Array<number>,
    ...(planned === undefined ? {} : { checked: true }),
    probe
  }
  let names: ReadonlyArray<string> | undefined
  for (const item of items) {
    if ("malformed" in item) {
      chunk.kinds.push(-1)
      chunk.rowNumbers.push(item.malformed.rowNumber)
      chunk.malformed.push(item.malformed)
      continue
    }
    chunk.rowNumbers.push(item.rowNumber)
    const mapped = mapRows ? mapSafely(item) : undefined
    if (mapped?.ok === true && kept(mapped.checks)) {
      chunk.kinds.push(mapped.messages.length)
      for (const message of mapped.messages) {
        chunk.messageTypes.push(message.type)
        chunk.messageIds.push(message.messageId)
        chunk.messageJson.push(message.json)
        chunk.messageBytes.push(message.bytes)
      }
      continue
    }
    // Not mapped (not asked to, or the row fails the mapping): the row as read, for the pipeline to map.
    chunk.kinds.push(0)
    if (!namesSent) names ??= Object.keys(item.values)
    for (const value of Object.values(item.values)) chunk.fields.push(value as string)
  }
  if (names === undefined) return chunk
  namesSent = true
  return { ...chunk, names }
}

/** Reads and posts chunks while the main thread has credit for them. */
const pump = async () => {
  if (reading || reader === undefined) return
  reading = true
  try {
    while (credits.length > 0 && !closing) {
      const items = await reader.next()
      if (closing) break
      if (items === undefined) {
        post({ type: "end", probe })
        await close()
        return
      }
      post(encode(items, credits.shift()!))
    }
  } catch (error) {
    post({ type: "error", error: encodeError(error) })
    await close()
  } finally {
    reading = false
  }
}

port.on("message", (message: MainMessage) => {
  if (message.type === "close") {
    void close()
    return
  }
  credits.push(...message.map)
  void pump()
})

try {
  reader = await CsvReader.open(options, probe)
  post({ type: "opened" })
  void pump()
} catch (error) {
  post({ type: "error", error: encodeError(error) })
  port.close()
}
