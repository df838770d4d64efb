import { SegmentApiLimits } from "./SinkOptions.ts"

/** The call types Segment's HTTP Tracking API takes. */
export const messageTypes: ReadonlySet<string> = new Set(["track", "identify", "page", "screen", "group", "alias"])

/** A message that passed the checks, serialized once (for its size and for the JSONL file). */
export interface CheckedMessage {
  readonly json: string
  readonly messageId: string
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value)

const isId = (value: unknown): boolean => (typeof value === "string" && value.length > 0) || (typeof value === "number" && Number.isFinite(value))

const isDate = (value: unknown): boolean => typeof value === "string" && !Number.isNaN(Date.parse(value))

/**
 * Checks one message the way Segment's API does, or a little stricter where tablecast promises
 * more (a `messageId` on every message). Returns the reason it is refused, or the message
 * serialized.
 */
export const checkMessage = (message: unknown, maxMessageBytes: number = SegmentApiLimits.maxMessageBytes): CheckedMessage | string => {
  if (!isRecord(message)) return "a message must be a JSON object"
  const type = message["type"]
  if (typeof type !== "string" || !messageTypes.has(type)) {
    return `type must be one of track, identify, page, screen, group, alias (got ${JSON.stringify(type) ?? "nothing"})`
  }
  if (!isId(message["userId"]) && !isId(message["anonymousId"])) return `${type} call without a userId or anonymousId`
  if (type === "track" && (typeof message["event"] !== "string" || message["event"] === "")) {
    return "track call without an event"
  }
  if (type === "group" && !isId(message["groupId"])) return "group call without a groupId"
  if (type === "alias" && !isId(message["previousId"])) return "alias call without a previousId"
  const messageId = message["messageId"]
  if (typeof messageId !== "string" || messageId === "") return "message without a messageId"
  if (messageId.length >= SegmentApiLimits.maxMessageIdLength) {
    return `messageId is ${messageId.length} characters; it must be under ${SegmentApiLimits.maxMessageIdLength}`
  }
  for (const field of ["timestamp", "sentAt", "originalTimestamp"] as const) {
    if (message[field] !== undefined && !isDate(message[field])) return `${field} is not an ISO-8601 date`
  }
  const json = JSON.stringify(message)
  const bytes = Buffer.byteLength(json)
  if (bytes > maxMessageBytes) return `message is ${bytes} bytes; the limit is ${maxMessageBytes}`
  return { json, messageId }
}
