import type { DuckDBDecimalType, DuckDBType } from "@duckdb/node-api"
import { DuckDBTypeId } from "@duckdb/node-api"

/** TTypeId values of TCLIService.thrift (the numbers on the wire). */
export const TTypeId = {
  BOOLEAN: 0,
  TINYINT: 1,
  SMALLINT: 2,
  INT: 3,
  BIGINT: 4,
  FLOAT: 5,
  DOUBLE: 6,
  STRING: 7,
  TIMESTAMP: 8,
  BINARY: 9,
  ARRAY: 10,
  MAP: 11,
  STRUCT: 12,
  DECIMAL: 15,
  DATE: 17
} as const

const typeIds: Partial<Record<DuckDBTypeId, number>> = {
  [DuckDBTypeId.BOOLEAN]: TTypeId.BOOLEAN,
  [DuckDBTypeId.TINYINT]: TTypeId.TINYINT,
  [DuckDBTypeId.SMALLINT]: TTypeId.SMALLINT,
  [DuckDBTypeId.INTEGER]: TTypeId.INT,
  [DuckDBTypeId.BIGINT]: TTypeId.BIGINT,
  [DuckDBTypeId.FLOAT]: TTypeId.FLOAT,
  [DuckDBTypeId.DOUBLE]: TTypeId.DOUBLE,
  [DuckDBTypeId.VARCHAR]: TTypeId.STRING,
  [DuckDBTypeId.TIMESTAMP]: TTypeId.TIMESTAMP,
  [DuckDBTypeId.TIMESTAMP_TZ]: TTypeId.TIMESTAMP,
  [DuckDBTypeId.BLOB]: TTypeId.BINARY,
  [DuckDBTypeId.LIST]: TTypeId.ARRAY,
  [DuckDBTypeId.MAP]: TTypeId.MAP,
  [DuckDBTypeId.STRUCT]: TTypeId.STRUCT,
  [DuckDBTypeId.DECIMAL]: TTypeId.DECIMAL,
  [DuckDBTypeId.DATE]: TTypeId.DATE
}

/**
 * A column of `TGetResultSetMetadataResp.schema` as a Databricks warehouse describes it: a
 * primitive entry carrying the TTypeId (complex types too), DECIMAL with precision and scale
 * qualifiers, and the Spark type name in the comment-free `typeName` the JDBC drivers show.
 */
export const hiveColumn = (name: string, type: DuckDBType, position: number) => {
  const typeId = typeIds[type.typeId]
  if (typeId === undefined) throw new Error(`the test server does not describe DuckDB type ${type.toString()}`)
  const decimal = type.typeId === DuckDBTypeId.DECIMAL ? (type as DuckDBDecimalType) : undefined
  return {
    columnName: name,
    position,
    typeDesc: {
      types: [
        {
          primitiveEntry: {
            type: typeId,
            ...(decimal === undefined
              ? {}
              : { typeQualifiers: { qualifiers: { precision: { i32Value: decimal.width }, scale: { i32Value: decimal.scale } } } })
          }
        }
      ]
    }
  }
}
