import { createWriteStream, type WriteStream } from "node:fs"
import { once } from "node:events"

/**
 * Appends lines to a file through one write stream. `write` resolves once the stream can take
 * more, so a sink that awaits it before answering passes the disk's pace back to the sender
 * instead of buffering without bound.
 */
export class JsonlWriter {
  private readonly stream: WriteStream
  private failure: Error | undefined

  private constructor(stream: WriteStream) {
    this.stream = stream
    stream.on("error", (error) => {
      this.failure = error
    })
  }

  /** Opens (creating or appending to) `path`; fails if the file cannot be opened. */
  static async open(path: string): Promise<JsonlWriter> {
    const stream = createWriteStream(path, { flags: "a" })
    // `once` rejects if "error" comes first (a missing folder, no permission).
    await once(stream, "open")
    return new JsonlWriter(stream)
  }

  /** Writes a chunk of whole lines (each ending with "\n"). */
  async write(chunk: string): Promise<void> {
    if (this.failure !== undefined) throw this.failure
    // `once` rejects if the stream fails while we wait, and removes its listeners either way.
    if (!this.stream.write(chunk)) await once(this.stream, "drain")
  }

  /** Flushes and closes the file. */
  async close(): Promise<void> {
    if (this.stream.closed) return
    await new Promise<void>((resolve) => this.stream.end(() => resolve()))
  }
}
