/** The run history's file in a state folder (a module of its own: naming the file loads none of the code that reads it). */
export const RUN_HISTORY_FILE_NAME = "runs.jsonl"
