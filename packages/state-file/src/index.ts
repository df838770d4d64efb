export { writeFileAtomically, SYMLINK_REFUSED, lstatOrUndefined } from "./AtomicFile.ts"
export { checkpointFile, checkpointFileName, interruptedRun, type SettledRows, settledRowsOf } from "./CheckpointFile.ts"
export { describeFsError } from "./FsErrorText.ts"
export { rejectsFile } from "./RejectsFile.ts"
