import { Buffer } from "node:buffer"
import { batchBody, envelopeBytes, envelopeParts } from "./BatchBody.ts"

const COMMA = 0x2c

/**
 * The `/v1/batch` body as UTF-8 bytes, written straight into one buffer of the size the core
 * measured (`envelopeBytes + messageBytes`): each message is encoded once, where it goes, instead
 * of being joined into a string that is then encoded. Node only (Buffer); the same bytes as
 * `batchBody`. Should the measure ever disagree with the text, the text wins.
 */
export const batchBodyBuffer = (messages: ReadonlyArray<string>, messageBytes: number, sentAtMillis: number): Buffer => {
  const size = envelopeBytes + messageBytes
  const buffer = Buffer.allocUnsafe(size)
  let offset = buffer.write(envelopeParts.head, 0, "latin1")
  for (let index = 0; index < messages.length; index++) {
    if (index > 0) {
      if (offset >= size) break
      buffer[offset++] = COMMA
    }
    offset += buffer.write(messages[index]!, offset, "utf8")
  }
  const sentAt = `${envelopeParts.middle}${new Date(sentAtMillis).toISOString()}${envelopeParts.tail}`
  // `write` stops at the end of the buffer: a short count means the measure was off.
  if (offset + sentAt.length !== size || buffer.write(sentAt, offset, "latin1") !== sentAt.length) {
    return Buffer.from(batchBody(messages, sentAtMillis))
  }
  return buffer
}
