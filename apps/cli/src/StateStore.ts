// The snapshot store of an incremental sync: @tablecast/node's, shared with the Promise API.
export { defaultStateFile, snapshotStoreOf } from "@tablecast/node/shared"
