/**
 * The write key of a request: the user name of HTTP Basic auth (Segment's way), else the body's
 * `writeKey` (Segment takes that too). Undefined when neither carries one.
 */
export const writeKeyOf = (authorization: string | undefined, body: unknown): string | undefined => {
  if (authorization !== undefined) {
    const match = /^\s*basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization)
    if (match?.[1] !== undefined) {
      const decoded = Buffer.from(match[1], "base64").toString("utf8")
      const colon = decoded.indexOf(":")
      const user = colon === -1 ? decoded : decoded.slice(0, colon)
      if (user !== "") return user
    }
  }
  if (typeof body === "object" && body !== null && !Array.isArray(body)) {
    const key = (body as Record<string, unknown>)["writeKey"]
    if (typeof key === "string" && key !== "") return key
  }
  return undefined
}
