import {
  type DuckDBType,
  DuckDBTypeId,
  type DuckDBValue,
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBListValue,
  DuckDBStructValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  type DuckDBListType,
  type DuckDBStructType,
  type DuckDBDecimalType
} from "@duckdb/node-api"

/**
 * DuckDB result columns and values in BigQuery's REST shape (`TableFieldSchema`, and `rows` as
 * `{ f: [{ v }] }` cells): every scalar is a string, as BigQuery sends it; REPEATED values are
 * `[{ v }]`, RECORD values `{ f: [{ v }] }`; TIMESTAMP is int64 microseconds when the client asks
 * for `formatOptions.useInt64Timestamp` (the Node client always does), float seconds otherwise.
 */
export interface FieldSchema {
  readonly name: string
  readonly type: string
  readonly mode: "NULLABLE" | "REQUIRED" | "REPEATED"
  readonly fields?: ReadonlyArray<FieldSchema>
  readonly precision?: string
  readonly scale?: string
}

export type Cell = { readonly v: unknown }

/** NUMERIC holds 38 digits with at most 9 after the point; wider DECIMALs are BIGNUMERIC. */
const decimalType = (type: DuckDBDecimalType) =>
  type.width - type.scale <= 29 && type.scale <= 9
    ? { type: "NUMERIC", precision: String(type.width), scale: String(type.scale) }
    : { type: "BIGNUMERIC", precision: String(type.width), scale: String(type.scale) }

const scalarType = (type: DuckDBType): { type: string; precision?: string; scale?: string } => {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return { type: "BOOLEAN" }
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.HUGEINT:
      return { type: "INTEGER" }
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
      return { type: "FLOAT" }
    case DuckDBTypeId.DECIMAL:
      return decimalType(type as DuckDBDecimalType)
    case DuckDBTypeId.DATE:
      return { type: "DATE" }
    case DuckDBTypeId.TIMESTAMP_TZ:
      return { type: "TIMESTAMP" }
    case DuckDBTypeId.TIMESTAMP:
      return { type: "DATETIME" }
    case DuckDBTypeId.TIME:
      return { type: "TIME" }
    case DuckDBTypeId.BLOB:
      return { type: "BYTES" }
    case DuckDBTypeId.VARCHAR:
      return type.alias?.toUpperCase() === "JSON" ? { type: "JSON" } : { type: "STRING" }
    default:
      return { type: "STRING" }
  }
}

/** A DuckDB column as a BigQuery field: LIST becomes mode REPEATED, STRUCT becomes RECORD. */
export const fieldSchema = (name: string, type: DuckDBType, mode: FieldSchema["mode"] = "NULLABLE"): FieldSchema => {
  if (type.typeId === DuckDBTypeId.LIST) {
    const element = fieldSchema(name, (type as DuckDBListType).valueType, "REPEATED")
    return element
  }
  if (type.typeId === DuckDBTypeId.STRUCT) {
    const struct = type as DuckDBStructType
    return {
      name,
      type: "RECORD",
      mode,
      fields: struct.entryNames.map((entry, index) => fieldSchema(entry, struct.entryTypes[index]!))
    }
  }
  return { name, mode, ...scalarType(type) }
}

const MICROS = 1_000_000n

/** Float seconds as BigQuery writes them without useInt64Timestamp, e.g. `1.5778368001234561E9`. */
const floatSeconds = (micros: bigint): string => {
  const seconds = Number(micros) / 1e6
  return seconds.toExponential().replace("e+", "E").replace("e", "E")
}

const pad = (value: number, width = 2) => String(value).padStart(width, "0")

/** DATETIME as BigQuery writes it: `2024-01-02T03:04:05.123456` (fraction only when there is one). */
const datetimeText = (micros: bigint): string => {
  let seconds = micros / MICROS
  let fraction = micros % MICROS
  if (fraction < 0n) {
    seconds -= 1n
    fraction += MICROS
  }
  const d = new Date(Number(seconds) * 1000)
  const base = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  return fraction === 0n ? base : `${base}.${String(fraction).padStart(6, "0")}`
}

/** One value in the REST cell shape for its field. */
export const cellValue = (field: FieldSchema, value: DuckDBValue, int64Timestamps: boolean): unknown => {
  if (value === null || value === undefined) return null
  if (field.mode === "REPEATED" && value instanceof DuckDBListValue) {
    const element: FieldSchema = { ...field, mode: "NULLABLE" }
    return value.items.map((item) => ({ v: cellValue(element, item, int64Timestamps) }))
  }
  if (field.type === "RECORD" && value instanceof DuckDBStructValue) {
    const fields = field.fields ?? []
    return { f: fields.map((each) => ({ v: cellValue(each, value.entries[each.name] ?? null, int64Timestamps) })) }
  }
  if (value instanceof DuckDBTimestampTZValue) return int64Timestamps ? String(value.micros) : floatSeconds(value.micros)
  if (value instanceof DuckDBTimestampValue) return datetimeText(value.micros)
  if (value instanceof DuckDBDateValue) return value.toString()
  if (value instanceof DuckDBDecimalValue) return value.toString()
  if (value instanceof DuckDBBlobValue) return Buffer.from(value.bytes).toString("base64")
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "NaN"
    if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity"
    return String(value)
  }
  return String(value)
}

/** A DuckDB row as a REST row. */
export const restRow = (fields: ReadonlyArray<FieldSchema>, row: ReadonlyArray<DuckDBValue>, int64Timestamps: boolean): { f: Array<Cell> } => ({
  f: fields.map((field, index) => ({ v: cellValue(field, row[index] ?? null, int64Timestamps) }))
})
