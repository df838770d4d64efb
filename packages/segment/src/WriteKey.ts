import * as Redacted from "effect/Redacted"

/** Base64 of a string's UTF-8 bytes, with what both Node and Workers have (`btoa`, `TextEncoder`). */
const base64 = (text: string): string => {
  let binary = ""
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte)
  return btoa(binary)
}

/**
 * Why a write key cannot be sent, or undefined: the one write-key check, used by the transport's
 * options, the CLI's config and the edge (its secret, and a request's key before it is queued).
 * Basic auth puts the key before a colon, in a header: no colon, no control characters. Takes the
 * key wrapped in `Redacted`, so it is never printed by mistake; never quotes it.
 */
export const writeKeyProblem = (value: unknown): string | undefined => {
  if (!Redacted.isRedacted(value)) return "the write key must be wrapped in Redacted (Redacted.make(key))"
  let key: unknown
  try {
    key = Redacted.value(value)
  } catch {
    return "the write key was wiped"
  }
  if (typeof key !== "string") return "the write key must be a string"
  if (key.trim() === "") return "the write key is empty"
  if (key.includes(":") || /[\u0000-\u001f\u007f]/.test(key)) return "the write key holds a colon or a control character"
  return undefined
}

/** The Authorization header Segment expects: Basic auth, the write key as user, no password. */
export const basicAuthorization = (writeKey: Redacted.Redacted<string>): string => `Basic ${base64(`${Redacted.value(writeKey)}:`)}`

/**
 * Removes the write key, and the Basic credentials that carry it, from a text that came from
 * elsewhere (an endpoint's error body, an error message), should it ever echo them.
 */
export const scrubWriteKey = (text: string, writeKey: Redacted.Redacted<string>): string => {
  const key = Redacted.value(writeKey)
  const credentials = base64(`${key}:`)
  return text.split(credentials).join("[redacted]").split(key).join("[redacted]")
}
