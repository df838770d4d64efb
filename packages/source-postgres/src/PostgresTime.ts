/**
 * Postgres date and timestamp texts (DateStyle ISO, which the source sets on every session) as
 * ISO-8601 UTC strings. Sub-millisecond digits are kept (`.123456Z`), `infinity` stays a string,
 * and BC years become ISO's astronomical years (`0044-03-15 BC` → `-000043-03-15`).
 */

const TIMESTAMP = /^(\d{4,})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?)?( BC)?$/
const UTC_TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?(?:\+00(?::?00)?)?$/
const DATE = /^(\d{4,})-(\d{2})-(\d{2})( BC)?$/

const astronomicalYear = (year: string, bc: string | undefined): number => (bc === undefined ? Number(year) : 1 - Number(year))

const utcDate = (year: number, month: number, day: number, hour = 0, minute = 0, second = 0): Date => {
  // Date.UTC maps years 0..99 to 1900..1999, so set the full year separately.
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  date.setUTCHours(hour, minute, second, 0)
  return date
}

/**
 * `2024-01-02 03:04:05.123456+00` → `2024-01-02T03:04:05.123456Z`. A value without an offset
 * (`timestamp without time zone`) is read as UTC. Unknown forms come back unchanged.
 */
export const timestampToIso = (text: string): string => {
  // The usual case, a UTC value of a 4-digit year (the session runs in UTC), needs no Date.
  if (UTC_TIMESTAMP.test(text)) {
    const zone = text.indexOf("+", 19)
    const end = zone === -1 ? text.length : zone
    const fraction = end > 20 ? text.slice(20, end) : ""
    return `${text.slice(0, 10)}T${text.slice(11, 19)}.${fraction.length >= 3 ? fraction : fraction.padEnd(3, "0")}Z`
  }
  const match = TIMESTAMP.exec(text)
  if (match === null) return text // infinity, -infinity
  const [, year, month, day, hour, minute, second, fraction, sign, offsetHours, offsetMinutes, offsetSeconds, bc] = match
  const offset =
    sign === undefined ? 0 : (sign === "-" ? -1 : 1) * (Number(offsetHours) * 3600 + Number(offsetMinutes ?? 0) * 60 + Number(offsetSeconds ?? 0))
  const date = utcDate(astronomicalYear(year!, bc), Number(month), Number(day), Number(hour), Number(minute), Number(second) - offset)
  if (Number.isNaN(date.getTime())) return text
  const iso = date.toISOString() // ...T03:04:05.000Z
  const digits = (fraction ?? "").padEnd(3, "0")
  return `${iso.slice(0, iso.length - 4)}${digits}Z`
}

/** `2024-01-02` → `2024-01-02`; `0044-03-15 BC` → `-000043-03-15`; infinity stays as it is. */
export const dateToIso = (text: string): string => {
  const match = DATE.exec(text)
  if (match === null) return text
  const [, year, month, day, bc] = match
  if (bc === undefined && year!.length === 4) return text
  const date = utcDate(astronomicalYear(year!, bc), Number(month), Number(day))
  if (Number.isNaN(date.getTime())) return text
  const iso = date.toISOString()
  return iso.slice(0, iso.indexOf("T"))
}
