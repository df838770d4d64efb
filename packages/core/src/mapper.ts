// The message mapper alone, without Effect or zod: for code that maps rows away from the pipeline,
// e.g. the CSV source's worker thread, where every module loaded costs memory and start-up time.
export {
  type BuiltMessage,
  compileMapper,
  type LibraryInfo,
  type MappedRow,
  type MapperContract,
  type MessageMapper
} from "./map/MessageMapper.ts"
export { MAX_VALUE_DEPTH, nestsDeeperThan } from "./map/ValueDepth.ts"
export type { ColumnTypes, DecidedColumn, DecidedType } from "./map/ColumnTyping.ts"
export { RepeatCounter, type RepeatCounterOptions } from "./map/RepeatCounter.ts"
