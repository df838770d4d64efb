import type { IncomingMessage } from "node:http"
import { promisify } from "node:util"
import { gunzip } from "node:zlib"
import * as Schema from "effect/Schema"

const gunzipAsync = promisify(gunzip)

/** A request body as read off the wire. */
export interface RawBody {
  readonly bytes: Buffer
  /** Bytes received, including any read past the limit and discarded. */
  readonly receivedBytes: number
  /** Whether the body passed `limit` (then `bytes` is empty). */
  readonly tooLarge: boolean
}

/**
 * Reads a request body, keeping at most `limit` bytes. Past the limit it keeps reading and
 * discarding, so the client finishes sending and can read the 413 instead of a broken pipe.
 */
export const readBody = (request: IncomingMessage, limit: number): Promise<RawBody> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    let received = 0
    request.on("data", (chunk: Buffer) => {
      received += chunk.length
      if (received <= limit) chunks.push(chunk)
      else chunks.length = 0
    })
    request.on("end", () => {
      const tooLarge = received > limit
      resolve({ bytes: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks, received), receivedBytes: received, tooLarge })
    })
    request.on("error", reject)
  })

/** Why a body could not be decoded, with the status to answer. */
export class BodyError extends Schema.TaggedError<BodyError>()("BodyError", {
  status: Schema.Literals([400, 413, 415]),
  message: Schema.String
}) {}

/** Undoes the Content-Encoding (none or gzip), keeping at most `limit` decoded bytes. */
export const decodeBody = async (bytes: Buffer, encoding: string | undefined, limit: number): Promise<Buffer> => {
  const coding = encoding?.trim().toLowerCase() ?? "identity"
  if (coding === "identity" || coding === "") return bytes
  if (coding !== "gzip" && coding !== "x-gzip") throw new BodyError({ status: 415, message: `unsupported Content-Encoding "${coding}"` })
  try {
    return await gunzipAsync(bytes, { maxOutputLength: limit + 1 })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") {
      throw new BodyError({ status: 413, message: `body is over ${limit} bytes once decompressed` })
    }
    throw new BodyError({ status: 400, message: "body is not valid gzip" })
  }
}
