import { Worker } from "node:worker_threads"
import type { MalformedRow, PortableContract, PreparedRow, SourceItem, SyncSpec } from "@tablecast/core"
import type { BuiltMessage, ColumnTypes, LibraryInfo } from "@tablecast/core/mapper"
import type { ReaderProbe } from "./CsvReader.ts"
import { type CsvReadError, errorCode, isCsvReadError } from "./CsvReadError.ts"
import type { CsvSourceOptions } from "./CsvSourceOptions.ts"

/**
 * Chunks (of at most 1,024 rows) the worker may read ahead of the rows handed out. Two keep the
 * worker busy while the pipeline maps the chunk before; memory stays flat whatever the file's size.
 */
export const readAheadChunks = 2

/**
 * The young generation of the worker's heap, in MB. Parsing makes short-lived strings and keeps
 * only the chunks read ahead, so a small one costs little time and saves the memory V8 would
 * otherwise give it (up to 64 MB per semi-space on a 64-bit machine).
 */
const workerYoungGenerationMb = 8

/**
 * A chunk of items as it crosses between threads: flat arrays of strings and numbers clone several
 * times faster than row and message objects.
 */
export interface EncodedChunk {
  readonly type: "chunk"
  /** The column names, in the first chunk only (they do not change). */
  readonly names?: ReadonlyArray<string>
  /**
   * Per item: -1 for a malformed row (taken in order from `malformed`), 0 for a row as read (its
   * values from `fields`, `names.length` of them), n > 0 for a row mapped to n messages (from the
   * message arrays).
   */
  readonly kinds: ReadonlyArray<number>
  readonly rowNumbers: ReadonlyArray<number>
  readonly fields: ReadonlyArray<string>
  readonly malformed: ReadonlyArray<MalformedRow>
  readonly messageTypes: ReadonlyArray<"track" | "identify" | "group">
  readonly messageIds: ReadonlyArray<string>
  readonly messageJson: ReadonlyArray<string>
  readonly messageBytes: ReadonlyArray<number>
  /** The mapped rows' messages were checked against the run's contract, and keep it. */
  readonly checked?: boolean
  readonly probe: ReaderProbe
}

/** What the worker is given: the file, and the sync's mapping when it maps too. */
export interface WorkerInput {
  readonly options: CsvSourceOptions
  readonly mapping?: {
    readonly spec: SyncSpec
    readonly library: LibraryInfo
    readonly columnTypes?: ColumnTypes
    /** The run's tracking plan: the worker maps rows with its check, and hands over as read the rows that break it. */
    readonly contract?: PortableContract
  }
}

/** An error as it crosses between threads: a reader error (plain data already), or a file system error's code. */
export interface EncodedError {
  readonly readError?: CsvReadError
  readonly message: string
  readonly code?: string
}

export type WorkerMessage =
  | { readonly type: "opened" }
  | EncodedChunk
  | { readonly type: "end"; readonly probe: ReaderProbe }
  | { readonly type: "error"; readonly error: EncodedError }

/**
 * `pull`: read one more chunk each (`map`: and map its rows, when the worker has the mapping).
 */
export type MainMessage = { readonly type: "pull"; readonly map: ReadonlyArray<boolean> } | { readonly type: "close" }

export const encodeError = (error: unknown): EncodedError => {
  if (isCsvReadError(error)) return { message: error.message, readError: error }
  const code = errorCode(error)
  return { message: error instanceof Error ? error.message : String(error), ...(code === undefined ? {} : { code }) }
}

const decodeError = (error: EncodedError): Error | CsvReadError =>
  error.readError !== undefined
    ? error.readError
    : // A file system error keeps its code, so that `fileError` names it as for the in-thread reader.
      Object.assign(new Error(error.message), error.code === undefined ? {} : { code: error.code })

// Built, the worker is the `.js` beside this file; in the repository's tests, the `.ts` one (Node
// strips its types). A bundle that inlines this file must emit the worker beside itself.
const workerUrl = new URL(import.meta.url.endsWith(".ts") ? "./CsvReaderWorker.ts" : "./CsvReaderWorker.js", import.meta.url)

/**
 * A `CsvReader` run in a worker thread: parsing, the larger part of a sync's work on a CSV file,
 * moves off the thread that maps and sends, so that both run at once. Same rows, same errors, same
 * order as the in-thread reader, and the same flat memory: the worker reads at most
 * `readAheadChunks` chunks ahead of what `next()` has handed out.
 */
export class CsvReaderThread {
  /** With `mapping`, the worker also maps each row to its messages (see `RowSourceShape.prepare`). */
  static async open(options: CsvSourceOptions, probe?: ReaderProbe, mapping?: WorkerInput["mapping"]): Promise<CsvReaderThread> {
    const input: WorkerInput = { options, ...(mapping === undefined ? {} : { mapping }) }
    const worker = new Worker(workerUrl, {
      workerData: input,
      resourceLimits: { maxYoungGenerationSizeMb: workerYoungGenerationMb },
      // Not the parent's Node options (a profiler, a loader): the worker runs one plain module. V8's
      // heap flags are process-wide anyway, and a `--max-semi-space-size` given to the process (the
      // CLI gives one) wins over `resourceLimits`, which size the young generation only without it.
      execArgv: []
    })
    const reader = new CsvReaderThread(worker, probe)
    await reader.opened
    return reader
  }

  private readonly worker: Worker
  private readonly probe: ReaderProbe | undefined
  private readonly opened: Promise<void>
  private names: ReadonlyArray<string> = []
  private readonly chunks: Array<EncodedChunk> = []
  private ended = false
  private failure: Error | CsvReadError | undefined
  private exited = false
  private readonly exit: Promise<void>
  /** Wakes a `next()` (or the open) waiting for the worker's next message. */
  private wake: (() => void) | undefined

  private constructor(worker: Worker, probe: ReaderProbe | undefined) {
    this.worker = worker
    this.probe = probe
    this.exit = new Promise((resolve) => {
      worker.once("exit", () => {
        this.exited = true
        if (!this.ended) this.failure ??= new Error("the CSV reader's worker thread stopped before the end of the file")
        this.notify()
        resolve()
      })
    })
    worker.on("message", (message: WorkerMessage) => this.receive(message))
    worker.on("error", (error) => {
      this.failure ??= error
      this.notify()
    })
    this.opened = new Promise<void>((resolve, reject) => {
      const settle = () => {
        if (this.failure !== undefined) reject(this.failure)
        else resolve()
      }
      this.wake = settle
    }).then(() => this.send({ type: "pull", map: new Array<boolean>(readAheadChunks).fill(false) }))
  }

  private send(message: MainMessage): void {
    if (!this.exited) this.worker.postMessage(message)
  }

  private notify(): void {
    const wake = this.wake
    this.wake = undefined
    wake?.()
  }

  private receive(message: WorkerMessage): void {
    switch (message.type) {
      case "opened":
        break
      case "chunk":
        if (message.names !== undefined) this.names = message.names
        this.chunks.push(message)
        this.copyProbe(message.probe)
        break
      case "end":
        this.ended = true
        this.copyProbe(message.probe)
        break
      case "error":
        this.failure ??= decodeError(message.error)
        break
    }
    this.notify()
  }

  private copyProbe(from: ReaderProbe): void {
    if (this.probe === undefined) return
    this.probe.bytesRead = from.bytesRead
    this.probe.mostBufferedRows = from.mostBufferedRows
    this.probe.mostHeldBytes = from.mostHeldBytes
  }

  /** The next items (at most 1,024), or `undefined` at the end of the file. */
  async next(): Promise<ReadonlyArray<SourceItem | PreparedRow> | undefined> {
    let waited = false
    for (;;) {
      const chunk = this.chunks.shift()
      if (chunk !== undefined) {
        // Who maps is balanced as we go: a chunk that was ready before it was asked for says the
        // worker has time to spare, so it maps the next one; one that had to be waited for says the
        // worker is the slower, so the next one comes unmapped and this thread maps it. On any
        // number of cores, neither thread waits long for the other.
        this.send({ type: "pull", map: [!waited] })
        return this.decode(chunk)
      }
      // Chunks the worker read before it failed come first: the in-thread reader hands them out too.
      if (this.failure !== undefined) throw this.failure
      if (this.ended) return undefined
      waited = true
      await new Promise<void>((resolve) => {
        this.wake = resolve
      })
    }
  }

  private decode(chunk: EncodedChunk): ReadonlyArray<SourceItem | PreparedRow> {
    const { names } = this
    const width = names.length
    const { kinds, rowNumbers, fields } = chunk
    const items: Array<SourceItem | PreparedRow> = new Array(kinds.length)
    let field = 0
    let malformed = 0
    let message = 0
    for (let index = 0; index < kinds.length; index++) {
      const kind = kinds[index]!
      const rowNumber = rowNumbers[index]!
      if (kind === -1) {
        items[index] = { _tag: "Malformed", malformed: chunk.malformed[malformed++]! }
      } else if (kind === 0) {
        const values: Record<string, string> = {}
        for (let column = 0; column < width; column++) values[names[column]!] = fields[field++]!
        items[index] = { rowNumber, values }
      } else {
        const messages: Array<BuiltMessage> = new Array(kind)
        for (let built = 0; built < kind; built++, message++) {
          messages[built] = {
            rowNumber,
            type: chunk.messageTypes[message]!,
            messageId: chunk.messageIds[message]!,
            json: chunk.messageJson[message]!,
            bytes: chunk.messageBytes[message]!
          }
        }
        items[index] =
          chunk.checked === true ? { _tag: "Prepared", rowNumber, messages, checked: true } : { _tag: "Prepared", rowNumber, messages }
      }
    }
    return items
  }

  /** Stops the worker; resolves once it has closed the file and ended. */
  async close(): Promise<void> {
    this.ended = true
    if (this.exited) return
    this.send({ type: "close" })
    const stopped = await Promise.race([this.exit.then(() => true), new Promise<boolean>((resolve) => setTimeout(resolve, 5_000, false).unref())])
    if (!stopped) await this.worker.terminate()
  }
}
