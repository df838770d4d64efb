/** A request body as a stream of the given pieces (text is sent as UTF-8). */
export const streamOf = (...pieces: Array<string | Uint8Array>): ReadableStream<Uint8Array> => {
  const encoder = new TextEncoder()
  const queue = pieces.map((piece) => (typeof piece === "string" ? encoder.encode(piece) : piece))
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = queue.shift()
      if (next === undefined) controller.close()
      else controller.enqueue(next)
    }
  })
}

/**
 * An endless body: `head`, then `piece` repeated for ever. `pulled()` tells how many bytes the
 * reader took, so a test can show that a read stopped early instead of reading to the end.
 */
export const endlessStream = (
  head: string,
  piece: string
): { stream: ReadableStream<Uint8Array>; pulled: () => number; cancelled: () => boolean } => {
  const encoder = new TextEncoder()
  const first = encoder.encode(head)
  const repeated = encoder.encode(piece)
  let bytes = 0
  let started = false
  let cancelled = false
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = started ? repeated : first
      started = true
      bytes += next.byteLength
      controller.enqueue(next)
    },
    cancel() {
      cancelled = true
    }
  })
  return { stream, pulled: () => bytes, cancelled: () => cancelled }
}

/** The bytes of `text` with `bytes` spliced in at the marker `@@`. */
export const withBytes = (text: string, bytes: ReadonlyArray<number>): Uint8Array => {
  const [before, after] = text.split("@@") as [string, string]
  const encoder = new TextEncoder()
  const head = encoder.encode(before)
  const tail = encoder.encode(after)
  const out = new Uint8Array(head.length + bytes.length + tail.length)
  out.set(head, 0)
  out.set(bytes, head.length)
  out.set(tail, head.length + bytes.length)
  return out
}
