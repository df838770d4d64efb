/** The envelope's three parts: before the messages, between them and sentAt, and after sentAt. */
export const envelopeParts = { head: '{"batch":[', middle: '],"sentAt":"', tail: '"}' } as const
const { head, middle, tail } = envelopeParts

/** Length of `Date.prototype.toISOString()` output with milliseconds, e.g. 2024-05-01T12:00:00.000Z. */
const isoLength = 24

/**
 * UTF-8 bytes the envelope adds around the comma-joined messages: `{"batch":[` … `],"sentAt":"` ISO
 * `"}`. All ASCII, so characters are bytes.
 */
export const envelopeBytes = head.length + middle.length + isoLength + tail.length

/**
 * The `/v1/batch` request body, built by concatenation from messages already serialized (and
 * measured) by the core, so what is sent is exactly what was measured.
 */
export const batchBody = (messages: ReadonlyArray<string>, sentAtMillis: number): string =>
  head + messages.join(",") + middle + new Date(sentAtMillis).toISOString() + tail
