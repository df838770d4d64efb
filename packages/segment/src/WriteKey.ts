import * as Redacted from "effect/Redacted"

/** Base64 of a string's UTF-8 bytes, with what both Node and Workers have (`btoa`, `TextEncoder`). */
const base64 = (text: string): string => {
  let binary = ""
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte)
  return btoa(binary)
}

/** The Authorization header Segment expects: Basic auth, the write key as user, no password. */
export const basicAuthorization = (writeKey: Redacted.Redacted<string>): string =>
  `Basic ${base64(`${Redacted.value(writeKey)}:`)}`

/**
 * Removes the write key, and the Basic credentials that carry it, from a text that came from
 * elsewhere (an endpoint's error body, an error message), should it ever echo them.
 */
export const scrubWriteKey = (text: string, writeKey: Redacted.Redacted<string>): string => {
  const key = Redacted.value(writeKey)
  const credentials = base64(`${key}:`)
  return text.split(credentials).join("[redacted]").split(key).join("[redacted]")
}
