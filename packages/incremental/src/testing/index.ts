export { type SnapshotStoreContractCase, snapshotStoreContract } from "./snapshotStoreContract.ts"
export { snapshotStoreLargeRun } from "./snapshotStoreLargeRun.ts"
