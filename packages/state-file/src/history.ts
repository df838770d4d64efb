// The run history's file, apart from the package's main entry: a bundle that reads or writes the
// history only in code it loads lazily (the CLI at a run's end) keeps it out of what it loads at start.
export { runHistoryFile, type RunHistoryFileOptions } from "./RunHistoryFile.ts"
export { RUN_HISTORY_FILE_NAME } from "./RunHistoryFileName.ts"
