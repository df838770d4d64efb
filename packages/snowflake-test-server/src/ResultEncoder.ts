import type { SfTypeOids } from "./SfSchema.ts"

/**
 * PostgreSQL result columns and values in Snowflake's JSON result format: `rowtype` entries with
 * Snowflake's type names (lower case on the wire: fixed, real, text, boolean, date, time,
 * timestamp_ntz/ltz/tz, variant, object, array, binary) and every value a string in Snowflake's
 * encoding: dates as days since the epoch, times and timestamps as epoch seconds with `scale`
 * fraction digits, TIMESTAMP_TZ followed by its offset index (minutes + 1440), booleans as 1/0,
 * binary as upper-case hex, semi-structured values as JSON text.
 */

/** One column as Snowflake's `rowtype` describes it. */
export interface RowType {
  readonly name: string
  readonly database: string
  readonly schema: string
  readonly table: string
  readonly nullable: boolean
  readonly type: string
  readonly scale: number | null
  readonly precision: number | null
  readonly length: number | null
  readonly byteLength: number | null
  readonly collation: string | null
}

/** A Postgres result field, as pg's RowDescription gives it. */
export interface PgField {
  readonly name: string
  readonly dataTypeID: number
  readonly dataTypeModifier: number
}

export interface ColumnEncoding {
  readonly rowType: RowType
  readonly encode: (text: string) => string
}

const TIMESTAMP_SCALE = 9
const TEXT_LENGTH = 16_777_216
const BINARY_LENGTH = 8_388_608

/** Snowflake returns unquoted names in upper case; Postgres gives them in lower case. */
export const snowflakeName = (name: string): string => (/^[a-z_][a-z0-9_$]*$/.test(name) ? name.toUpperCase() : name)

const DATE_TEXT = /^(\d{4,})-(\d{2})-(\d{2})( BC)?$/
const TIMESTAMP_TEXT = /^(\d{4,})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?)?( BC)?$/

const utcMillis = (year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number => {
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  date.setUTCHours(hour, minute, second, 0)
  return date.getTime()
}

/** Nanoseconds since the epoch as Snowflake's decimal seconds with 9 fraction digits. */
const epochDecimal = (nanos: bigint): string => {
  const negative = nanos < 0n
  const magnitude = negative ? -nanos : nanos
  const seconds = magnitude / 1_000_000_000n
  const fraction = (magnitude % 1_000_000_000n).toString().padStart(9, "0")
  return `${negative ? "-" : ""}${seconds}.${fraction}`
}

/** Postgres `YYYY-MM-DD HH:MI:SS.ffffff[+hh[:mm]]` (DateStyle ISO) as nanoseconds since the epoch. */
export const timestampNanos = (text: string): bigint => {
  const match = TIMESTAMP_TEXT.exec(text)
  if (match === null) throw new Error(`unsupported timestamp ${JSON.stringify(text)}`)
  const [, y, mo, d, h, mi, s, fraction = "", sign, oh, om, os, bc] = match
  const year = bc === undefined ? Number(y) : 1 - Number(y)
  const offsetSeconds = sign === undefined ? 0 : (sign === "-" ? -1 : 1) * (Number(oh) * 3600 + Number(om ?? 0) * 60 + Number(os ?? 0))
  const millis = utcMillis(year, Number(mo), Number(d), Number(h), Number(mi), Number(s) - offsetSeconds)
  return BigInt(millis) * 1_000_000n + BigInt(fraction.padEnd(9, "0").slice(0, 9))
}

const dateDays = (text: string): string => {
  const match = DATE_TEXT.exec(text)
  if (match === null) throw new Error(`unsupported date ${JSON.stringify(text)}`)
  const [, y, mo, d, bc] = match
  const year = bc === undefined ? Number(y) : 1 - Number(y)
  return String(Math.round(utcMillis(year, Number(mo), Number(d)) / 86_400_000))
}

const timeSeconds = (text: string): string => {
  const [clock = "", fraction = ""] = text.split(".")
  const [h = "0", m = "0", s = "0"] = clock.split(":")
  return `${Number(h) * 3600 + Number(m) * 60 + Number(s)}.${fraction.padEnd(9, "0").slice(0, 9)}`
}

/** The fields of a composite value's text, `("a ""b""",42)` → [`a "b"`, `42`]; NULL fields → null. */
export const parseRecord = (text: string): Array<string | null> => {
  const fields: Array<string | null> = []
  let index = 1
  const end = text.length - 1
  while (index <= end) {
    if (text[index] === '"') {
      let value = ""
      index++
      for (;;) {
        const char = text[index]!
        if (char === "\\") {
          value += text[index + 1]
          index += 2
        } else if (char === '"') {
          if (text[index + 1] === '"') {
            value += '"'
            index += 2
          } else {
            index++
            break
          }
        } else {
          value += char
          index++
        }
      }
      fields.push(value)
      index++ // the comma or closing parenthesis
    } else {
      const stop = text.indexOf(",", index)
      const last = stop === -1 || stop > end ? end : stop
      const raw = text.slice(index, last)
      fields.push(raw === "" ? null : raw)
      index = last + 1
    }
  }
  return fields
}

const rowType = (name: string, type: string, extra: Partial<RowType> = {}): RowType => ({
  name: snowflakeName(name),
  database: "",
  schema: "",
  table: "",
  nullable: true,
  type,
  scale: null,
  precision: null,
  length: null,
  byteLength: null,
  collation: null,
  ...extra
})

/** Pads or keeps a NUMERIC text to exactly `scale` fraction digits, as Snowflake sends FIXED values. */
const fixedText = (text: string, scale: number): string => {
  if (scale === 0) return text
  const [whole, fraction = ""] = text.split(".")
  return `${whole}.${fraction.padEnd(scale, "0")}`
}

/**
 * How a Postgres column travels as a Snowflake column. `maxScale` is the largest number of
 * fraction digits seen in an unconstrained NUMERIC column (Snowflake's NUMBER always has a scale).
 */
export const columnEncoding = (field: PgField, oids: SfTypeOids, maxScale = 0): ColumnEncoding => {
  const name = field.name
  switch (field.dataTypeID) {
    case 16:
      return { rowType: rowType(name, "boolean"), encode: (text) => (text === "t" ? "1" : "0") }
    case 20:
    case 21:
    case 23:
      return { rowType: rowType(name, "fixed", { precision: 38, scale: 0 }), encode: (text) => text }
    case 1700: {
      const typmod = field.dataTypeModifier
      const precision = typmod >= 4 ? ((typmod - 4) >> 16) & 0xffff : 38
      const scale = typmod >= 4 ? (typmod - 4) & 0xffff : maxScale
      return { rowType: rowType(name, "fixed", { precision, scale }), encode: (text) => fixedText(text, scale) }
    }
    case 700:
    case 701:
      return { rowType: rowType(name, "real"), encode: (text) => text }
    case 1082:
      return { rowType: rowType(name, "date"), encode: dateDays }
    case 1083:
      return { rowType: rowType(name, "time", { precision: 0, scale: TIMESTAMP_SCALE }), encode: timeSeconds }
    case 1114:
      return {
        rowType: rowType(name, "timestamp_ntz", { precision: 0, scale: TIMESTAMP_SCALE }),
        encode: (text) => epochDecimal(timestampNanos(text))
      }
    case 1184:
      return {
        rowType: rowType(name, "timestamp_ltz", { precision: 0, scale: TIMESTAMP_SCALE }),
        encode: (text) => epochDecimal(timestampNanos(text))
      }
    case 114:
    case 3802:
      return { rowType: rowType(name, "variant"), encode: (text) => text }
    case 17:
      return {
        rowType: rowType(name, "binary", { length: BINARY_LENGTH, byteLength: BINARY_LENGTH }),
        encode: (text) => text.slice(2).toUpperCase()
      }
    default:
      break
  }
  if (field.dataTypeID === oids.timestampTz) {
    return {
      rowType: rowType(name, "timestamp_tz", { precision: 0, scale: TIMESTAMP_SCALE }),
      encode: (text) => {
        const [utc, offset] = parseRecord(text)
        return `${epochDecimal(timestampNanos(utc!))} ${Number(offset ?? 0) + 1440}`
      }
    }
  }
  if (field.dataTypeID === oids.object || field.dataTypeID === oids.array) {
    return {
      rowType: rowType(name, field.dataTypeID === oids.object ? "object" : "array"),
      encode: (text) => parseRecord(text)[0] ?? "null"
    }
  }
  return { rowType: rowType(name, "text", { length: TEXT_LENGTH, byteLength: TEXT_LENGTH }), encode: (text) => text }
}
