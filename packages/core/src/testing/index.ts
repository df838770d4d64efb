export { memorySource, type MemorySourceOptions } from "./MemorySource.ts"
export { type Answer, httpError, type RecordedRequest, type RecordingTransport, recordingTransport } from "./RecordingTransport.ts"
export { type SnapshotStoreContractCase, snapshotStoreContract } from "./snapshotStoreContract.ts"
export { snapshotStoreLargeRun } from "./snapshotStoreLargeRun.ts"
