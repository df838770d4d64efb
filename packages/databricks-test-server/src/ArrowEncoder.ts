import {
  DuckDBBlobValue,
  DuckDBDateValue,
  type DuckDBDecimalType,
  DuckDBDecimalValue,
  type DuckDBListType,
  DuckDBListValue,
  type DuckDBMapType,
  DuckDBMapValue,
  type DuckDBStructType,
  DuckDBStructValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  type DuckDBType,
  DuckDBTypeId,
  type DuckDBValue
} from "@duckdb/node-api"
import {
  Binary,
  Bool,
  type Data,
  type DataType,
  DateDay,
  Decimal,
  Field,
  Float32,
  Float64,
  Int8,
  Int16,
  Int32,
  Int64,
  List,
  Map_,
  makeBuilder,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimestampMicrosecond,
  tableToIPC,
  Utf8
} from "apache-arrow"

/**
 * The Arrow type a Databricks SQL warehouse sends for a column when the client asked for native
 * Arrow types (decimals, timestamps and complex types as Arrow, as @databricks/sql asks).
 */
export const arrowTypeOf = (type: DuckDBType): DataType => {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return new Bool()
    case DuckDBTypeId.TINYINT:
      return new Int8()
    case DuckDBTypeId.SMALLINT:
      return new Int16()
    case DuckDBTypeId.INTEGER:
      return new Int32()
    case DuckDBTypeId.BIGINT:
      return new Int64()
    case DuckDBTypeId.FLOAT:
      return new Float32()
    case DuckDBTypeId.DOUBLE:
      return new Float64()
    case DuckDBTypeId.DECIMAL: {
      const decimal = type as DuckDBDecimalType
      return new Decimal(decimal.scale, decimal.width, 128)
    }
    case DuckDBTypeId.VARCHAR:
      return new Utf8()
    case DuckDBTypeId.BLOB:
      return new Binary()
    case DuckDBTypeId.DATE:
      return new DateDay()
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_TZ:
      return new TimestampMicrosecond("Etc/UTC")
    case DuckDBTypeId.LIST:
      return new List(new Field("element", arrowTypeOf((type as DuckDBListType).valueType), true))
    case DuckDBTypeId.STRUCT: {
      const struct = type as DuckDBStructType
      return new Struct(struct.entryNames.map((name, index) => new Field(name, arrowTypeOf(struct.entryTypes[index]!), true)))
    }
    case DuckDBTypeId.MAP: {
      const map = type as DuckDBMapType
      const entries = new Struct([new Field("key", arrowTypeOf(map.keyType), false), new Field("value", arrowTypeOf(map.valueType), true)])
      return new Map_(new Field("entries", entries, false))
    }
    default:
      throw new Error(`the test server does not encode DuckDB type ${type.toString()}`)
  }
}

/** A 128-bit two's complement integer as four little-endian 32-bit words (Arrow's Decimal128 layout). */
const decimalWords = (value: bigint): Uint32Array => {
  const unsigned = BigInt.asUintN(128, value)
  return Uint32Array.from({ length: 4 }, (_, index) => Number((unsigned >> BigInt(32 * index)) & 0xffffffffn))
}

/** A DuckDB value as the JS value the Arrow builder of `arrowTypeOf(type)` takes. */
const builderValue = (type: DuckDBType, value: DuckDBValue): unknown => {
  if (value === null) return null
  if (value instanceof DuckDBDecimalValue) return decimalWords(value.value)
  if (value instanceof DuckDBTimestampValue || value instanceof DuckDBTimestampTZValue) return Number(value.micros) / 1000
  if (value instanceof DuckDBDateValue) return new Date(value.days * 86_400_000)
  if (value instanceof DuckDBBlobValue) return value.bytes
  if (value instanceof DuckDBListValue) return value.items.map((item) => builderValue((type as DuckDBListType).valueType, item))
  if (value instanceof DuckDBStructValue) {
    const struct = type as DuckDBStructType
    return Object.fromEntries(struct.entryNames.map((name, index) => [name, builderValue(struct.entryTypes[index]!, value.entries[name] ?? null)]))
  }
  if (value instanceof DuckDBMapValue) {
    const map = type as DuckDBMapType
    return new Map(value.entries.map((entry) => [builderValue(map.keyType, entry.key), builderValue(map.valueType, entry.value)]))
  }
  return value
}

/**
 * Writes each TIMESTAMP's int64 microseconds into the Arrow data exactly (at `base` + its index),
 * inside lists, structs and maps too: the builder takes epoch milliseconds as a double, which can
 * miss a microsecond.
 */
const writeMicros = (data: Data, type: DuckDBType, values: ReadonlyArray<DuckDBValue>, base: number): void => {
  switch (type.typeId) {
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_TZ: {
      const words = data.values as unknown as Int32Array
      values.forEach((value, index) => {
        if (value === null) return
        const micros = BigInt.asUintN(64, (value as DuckDBTimestampValue).micros)
        words[(base + index) * 2] = Number(micros & 0xffffffffn) | 0
        words[(base + index) * 2 + 1] = Number(micros >> 32n) | 0
      })
      return
    }
    case DuckDBTypeId.LIST:
      values.forEach((value, index) => {
        if (value === null) return
        writeMicros(data.children[0]!, (type as DuckDBListType).valueType, (value as DuckDBListValue).items, data.valueOffsets[base + index]!)
      })
      return
    case DuckDBTypeId.STRUCT: {
      const struct = type as DuckDBStructType
      struct.entryNames.forEach((name, field) => {
        const fieldValues = values.map((value) => (value === null ? null : ((value as DuckDBStructValue).entries[name] ?? null)))
        writeMicros(data.children[field]!, struct.entryTypes[field]!, fieldValues, base)
      })
      return
    }
    case DuckDBTypeId.MAP: {
      const map = type as DuckDBMapType
      const entries = data.children[0]!
      values.forEach((value, index) => {
        if (value === null) return
        const start = data.valueOffsets[base + index]!
        const pairs = (value as DuckDBMapValue).entries
        writeMicros(
          entries.children[0]!,
          map.keyType,
          pairs.map((pair) => pair.key),
          start
        )
        writeMicros(
          entries.children[1]!,
          map.valueType,
          pairs.map((pair) => pair.value),
          start
        )
      })
      return
    }
    default:
      return
  }
}

/** The IPC stream's first message (the schema) and the rest (record batches), without the end marker. */
const splitStream = (stream: Uint8Array): { schema: Uint8Array; batches: Uint8Array } => {
  const view = new DataView(stream.buffer, stream.byteOffset, stream.byteLength)
  // Each message: 0xFFFFFFFF continuation, int32 metadata length, metadata; the schema has no body.
  const schemaLength = 8 + view.getInt32(4, true)
  const endMarker = 8
  return { schema: stream.subarray(0, schemaLength), batches: stream.subarray(schemaLength, stream.byteLength - endMarker) }
}

export interface EncodedColumns {
  readonly schema: Schema
  /** The IPC schema message, as `TGetResultSetMetadataResp.arrowSchema` carries it. */
  readonly schemaBytes: Buffer
}

export const encodeSchema = (names: ReadonlyArray<string>, types: ReadonlyArray<DuckDBType>): EncodedColumns => {
  const schema = new Schema(names.map((name, index) => new Field(name, arrowTypeOf(types[index]!), true)))
  const empty = new Table(schema)
  return { schema, schemaBytes: Buffer.from(splitStream(tableToIPC(empty, "stream")).schema) }
}

/** Rows as one IPC record batch message (the bytes of a `TSparkArrowBatch`). */
export const encodeBatch = (
  columns: EncodedColumns,
  types: ReadonlyArray<DuckDBType>,
  rows: ReadonlyArray<ReadonlyArray<DuckDBValue>>
): Buffer => {
  const children = columns.schema.fields.map((field, index) => {
    const builder = makeBuilder({ type: field.type, nullValues: [null] })
    for (const row of rows) builder.append(builderValue(types[index]!, row[index] ?? null))
    const data = builder.finish().flush()
    writeMicros(
      data,
      types[index]!,
      rows.map((row) => row[index] ?? null),
      0
    )
    return data
  })
  const struct = new Struct(columns.schema.fields)
  const batch = new RecordBatch(columns.schema, makeData({ type: struct, length: rows.length, nullCount: 0, children }))
  return Buffer.from(splitStream(tableToIPC(new Table([batch]), "stream")).batches)
}
