export { memorySource, type MemorySourceOptions } from "./MemorySource.ts"
export { type Answer, httpError, type RecordedRequest, type RecordingTransport, recordingTransport } from "./RecordingTransport.ts"
export { contractRecord, type MakeRunHistory, type RunHistoryContractCase, runHistoryContract } from "./RunHistoryContract.ts"
