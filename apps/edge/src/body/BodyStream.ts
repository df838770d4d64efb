import { RequestError } from "../RequestError.ts"

/** The most bytes handed to a parser at once, so limits are checked at least this often. */
export const PieceBytes = 16 * 1024

/**
 * Reads a request body as a stream and hands it on in pieces of at most `PieceBytes`, each with its
 * offset. Nothing is kept: the body is never held whole. Past `maxBytes` the read stops at once
 * with 413 (a `Content-Length` over the limit is refused before anything is read). A `write` that
 * throws stops the read too: the rest of the body is cancelled, not read.
 */
export const readBodyStream = async (
  body: ReadableStream<Uint8Array> | null,
  input: {
    readonly contentLength: string | undefined
    readonly maxBytes: number
    readonly write: (piece: Uint8Array, offset: number) => void
  }
): Promise<number> => {
  const tooLarge = () =>
    new RequestError({
      status: 413,
      field: "body",
      message: `the body is over this deployment's limit of ${input.maxBytes} bytes; split the rows`
    })
  const declared = input.contentLength === undefined ? Number.NaN : Number(input.contentLength)
  if (Number.isFinite(declared) && declared > input.maxBytes) {
    await body?.cancel().catch(() => undefined)
    throw tooLarge()
  }
  if (body === null) return 0
  const reader = body.getReader()
  let offset = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return offset
      if (offset + value.byteLength > input.maxBytes) throw tooLarge()
      for (let start = 0; start < value.byteLength; start += PieceBytes) {
        const piece = value.subarray(start, Math.min(value.byteLength, start + PieceBytes))
        input.write(piece, offset)
        offset += piece.byteLength
      }
    }
  } catch (error) {
    await reader.cancel().catch(() => undefined)
    throw error
  } finally {
    reader.releaseLock()
  }
}
