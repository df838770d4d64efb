import { readFile } from "node:fs/promises"
import type { RejectedRow } from "@tablecast/core"

/** The CLI's `--rejects` file, one rejected row per line. */
export const readRejects = async (file: string): Promise<Array<RejectedRow>> =>
  (await readFile(file, "utf8"))
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as RejectedRow)
