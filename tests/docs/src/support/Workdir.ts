import { readFile, chmod, mkdir, mkdtemp, writeFile } from "node:fs/promises"
import os from "node:os"
import path from "node:path"
import { type Recipe, recipeFile } from "./RecipeBlocks.ts"

/** A fresh folder for one recipe run. */
export const makeWorkdir = (recipe: string): Promise<string> => mkdtemp(path.join(os.tmpdir(), `tablecast-recipe-${recipe}-`))

/** Writes the recipe's blocks titled `names` into `dir`, as printed; shell scripts made executable. */
export const writeRecipeFiles = async (recipe: Recipe, dir: string, names: ReadonlyArray<string>): Promise<void> => {
  for (const name of names) {
    const target = path.join(dir, name)
    await mkdir(path.dirname(target), { recursive: true })
    await writeFile(target, recipeFile(recipe, name).text)
    if (name.endsWith(".sh")) await chmod(target, 0o755)
  }
}

/** A message the receiver accepted, as `tablecast sink --out` writes it. */
export interface ReceivedMessage {
  readonly type: string
  readonly event?: string
  readonly userId?: string
  readonly messageId: string
  readonly timestamp?: string
  readonly properties?: Record<string, unknown>
  readonly traits?: Record<string, unknown>
}

/** The messages in a receiver's JSONL file (read after the receiver stopped). */
export const readReceived = async (file: string): Promise<Array<ReceivedMessage>> => {
  let text: string
  try {
    text = await readFile(file, "utf8")
  } catch {
    return []
  }
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as ReceivedMessage)
}

/** `KEY=value` lines, as a recipe's `tablecast.env` holds them. */
export const envFileText = (env: Record<string, string>): string =>
  Object.entries(env)
    .map(([key, value]) => `${key}='${value.replaceAll("'", "'\\''")}'\n`)
    .join("")
