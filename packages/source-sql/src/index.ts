export { type BigNumbers, decimalValue, exactNumber } from "./ExactNumber.ts"
export { decidedColumn, decidedColumns, declaredPrecision, EXACT_DIGITS } from "./DecidedTypes.ts"
export { duplicateColumnError, refusedBinaryError } from "./ColumnChecks.ts"
// The inspection types live in core, beside the SourceAdapter contract that returns them.
export type { ColumnSummary, SourceDescription, TableSummary } from "@tablecast/core"
export { isoFromMicros, isoUtc } from "./IsoTimestamp.ts"
export { parseJsonExactly } from "./JsonValue.ts"
export { type ReadTarget, resolveTarget, trimQuery } from "./ReadTarget.ts"
export { ColumnConversionError, convertPage, convertRow, type ConvertingColumn } from "./RowConversion.ts"
export { POSTGRES_LEXICON, READ_STATEMENTS, type SingleStatement, singleStatement, SNOWFLAKE_LEXICON, type SqlLexicon } from "./SingleStatement.ts"
export { scrubSecrets } from "./ScrubSecrets.ts"
export { BinaryMapping, requireTableOrQuery, Secret } from "./SourceOptions.ts"
export {
  type DatabaseTableName,
  quoteIdentifier,
  type SchemaTableName,
  splitIdentifiers,
  TableNameError,
  type TableNameRules,
  type TableNameSyntax,
  tableNameSyntax
} from "./TableName.ts"
export type { ConversionOptions, ValueKind } from "./ValueKind.ts"
