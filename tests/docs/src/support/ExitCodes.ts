import { readFile } from "node:fs/promises"
import path from "node:path"
import { repoRoot } from "./RecipeBlocks.ts"

/** The exit codes as docs/exit-codes.md's table documents them, by name (`guardTripped` → 8). */
export const documentedExitCodes = async (): Promise<Record<string, number>> => {
  const text = await readFile(path.join(repoRoot, "docs/exit-codes.md"), "utf8")
  const codes: Record<string, number> = {}
  for (const match of text.matchAll(/^\| (\d+) \| (\w+) \|/gm)) codes[match[2]!] = Number(match[1])
  return codes
}
