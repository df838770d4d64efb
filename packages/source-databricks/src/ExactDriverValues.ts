import { createRequire } from "node:module"

/**
 * A TIMESTAMP as the warehouse sent it, in Arrow microseconds. It is a `Date` (milliseconds, what
 * the driver gives every other caller) that also carries the exact microseconds.
 */
export class MicrosecondTimestamp extends Date {
  readonly micros: bigint
  constructor(micros: bigint) {
    const millis = micros / 1000n - (micros % 1000n < 0n ? 1n : 0n)
    super(Number(millis))
    this.micros = micros
  }
}

/** A DECIMAL's exact text, marked as a decimal: inside ARRAY, MAP and STRUCT, text alone cannot say it was one. */
export class DecimalText {
  readonly text: string
  constructor(text: string) {
    this.text = text
  }
  toString(): string {
    return this.text
  }
}

const MARK = Symbol.for("tablecast.databricks.exactValues")
const INSTALLED = Symbol.for("tablecast.databricks.exactValuesInstalled")

type Converter = {
  prototype: {
    context?: unknown
    getRows: (this: Converter["prototype"], schema: unknown, rows: unknown) => unknown
    convertArrowTypes: (this: Converter["prototype"], value: unknown, valueType: unknown, ...rest: Array<unknown>) => unknown
  }
}
type GetVisitor = { prototype: Record<string, (data: ArrowData, index: number) => unknown> }
interface ArrowData {
  readonly values: Int32Array
  readonly type: { readonly unit?: number }
  getValid(index: number): boolean
}
interface ArrowField {
  readonly name: string
  readonly type: { readonly unit?: number }
}

/** Marks a client whose results keep microseconds and tag decimals (other clients in the process are left as the driver made them). */
export const markClient = (client: object): void => {
  Object.defineProperty(client, MARK, { value: true })
}

/**
 * Teaches @databricks/sql 2.x's Arrow conversion to keep what it drops, for marked clients only:
 * the driver reads an Arrow microsecond timestamp through apache-arrow's getter (epoch
 * milliseconds as a double) into `new Date(...)`, which cuts the microseconds, and turns a
 * DECIMAL inside a complex value into plain text. While a marked client's batch is converted,
 * apache-arrow's microsecond getter answers a `MicrosecondTimestamp` read from the int64 itself,
 * and the converter keeps it and wraps decimals in `DecimalText`. Nothing else changes: the
 * patched methods call the originals whenever no marked conversion is running. The driver has no
 * option for this (its one switch, `useArrowNativeTypes: false`, would make it `JSON.parse`
 * complex values and lose their exact numbers instead).
 */
export const installExactValues = (driverMain: string): void => {
  const fromDriver = createRequire(driverMain)
  const { GetVisitor } = fromDriver("apache-arrow/visitor/get") as { GetVisitor: GetVisitor }
  const { DataType, TimeUnit, Vector } = fromDriver("apache-arrow") as {
    DataType: { isDecimal: (type: unknown) => boolean; isTimestamp: (type: unknown) => boolean }
    TimeUnit: { MICROSECOND: number }
    Vector: new (...args: Array<never>) => { readonly data: ReadonlyArray<ArrowData & { readonly length: number }> }
  }
  const converter = (fromDriver("./result/ArrowResultConverter.js") as { default: Converter }).default
  const prototype = converter.prototype as Converter["prototype"] & { [INSTALLED]?: boolean }
  const visitor = GetVisitor.prototype
  for (const method of [prototype.getRows, prototype.convertArrowTypes, visitor.visitTimestampMicrosecond, visitor.visitTimestamp]) {
    if (typeof method !== "function") throw new Error("this @databricks/sql's Arrow conversion is not the one tablecast knows")
  }
  if (prototype[INSTALLED] === true) return
  Object.defineProperty(prototype, INSTALLED, { value: true })

  let converting = 0
  const exactMicros = (data: ArrowData, index: number): MicrosecondTimestamp | null => {
    if (!data.getValid(index)) return null
    const low = BigInt(data.values[index * 2]! >>> 0)
    const high = BigInt(data.values[index * 2 + 1]!)
    return new MicrosecondTimestamp((high << 32n) + low)
  }
  const microsecond = visitor.visitTimestampMicrosecond!
  const timestamp = visitor.visitTimestamp!
  visitor.visitTimestampMicrosecond = function (data, index) {
    return converting > 0 ? exactMicros(data, index) : microsecond.call(this, data, index)
  }
  visitor.visitTimestamp = function (data, index) {
    return converting > 0 && data.type.unit === TimeUnit.MICROSECOND ? exactMicros(data, index) : timestamp.call(this, data, index)
  }

  const getRows = prototype.getRows
  prototype.getRows = function (schema, rows) {
    const marked = (this.context as Record<symbol, unknown> | undefined)?.[MARK] === true
    if (!marked) return getRows.call(this, schema, rows)
    converting++
    try {
      return getRows.call(this, schema, rows)
    } finally {
      converting--
    }
  }
  const convertArrowTypes = prototype.convertArrowTypes
  const isMicrosecondTimestamp = (type: { readonly unit?: number } | undefined) =>
    type !== undefined && DataType.isTimestamp(type) && type.unit === TimeUnit.MICROSECOND
  prototype.convertArrowTypes = function (value, valueType, ...rest) {
    if (converting === 0) return convertArrowTypes.call(this, value, valueType, ...rest)
    if (value instanceof MicrosecondTimestamp) return value
    // A list's elements are read by apache-arrow's own iterator, past the getter: read timestamps here.
    const element = (rest[0] as ReadonlyArray<ArrowField> | undefined)?.find((field) => field.name === "element")
    if (value instanceof Vector && isMicrosecondTimestamp(element?.type)) {
      return value.data.flatMap((chunk) => Array.from({ length: chunk.length }, (_, index) => exactMicros(chunk, index)))
    }
    const converted = convertArrowTypes.call(this, value, valueType, ...rest)
    return typeof converted === "string" && DataType.isDecimal(valueType) ? new DecimalText(converted) : converted
  }
}
