import { readFile } from "node:fs/promises"

/** The records of a JSONL file (a rejects file, a receiver's store), one object per non-empty line. */
export const readJsonl = async (file: string): Promise<Array<Record<string, unknown>>> =>
  (await readFile(file, "utf8"))
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>)
