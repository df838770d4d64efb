import { readFile } from "node:fs/promises"
import path from "node:path"
import { fileURLToPath } from "node:url"

/** The repository's root (tests/docs/src/support → four levels up). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..")

/** A fenced code block of a recipe: ```lang title="…"``` … ```. */
export interface FencedBlock {
  readonly language: string
  /** The block's `title="…"`: a file name (a file the recipe has you write) or "recipe-command". */
  readonly title: string | undefined
  readonly text: string
  /** 1-based line of the opening fence, for messages. */
  readonly line: number
}

/** The title that marks a block of commands the recipe has you run. */
export const COMMAND_TITLE = "recipe-command"

const opening = /^(`{3,})([\w+-]*)(?:\s+(.*))?$/

/**
 * Every fenced block of a Markdown text, in order. Only backtick fences at the start of a line
 * (the recipes' style); a block's text keeps its lines as written, without the fences.
 */
export const fencedBlocks = (markdown: string): Array<FencedBlock> => {
  const lines = markdown.split("\n")
  const blocks: Array<FencedBlock> = []
  for (let index = 0; index < lines.length; index++) {
    const open = opening.exec(lines[index]!)
    if (open === null) continue
    const [, fence, language, info] = open
    const title = /title="([^"]+)"/.exec(info ?? "")?.[1]
    const body: Array<string> = []
    let end = index + 1
    while (end < lines.length && lines[end]!.trimEnd() !== fence) body.push(lines[end++]!)
    if (end === lines.length) throw new Error(`line ${index + 1}: a code block that is never closed`)
    blocks.push({ language: language ?? "", title, text: `${body.join("\n")}\n`, line: index + 1 })
    index = end
  }
  return blocks
}

/** A recipe of docs/recipes: its blocks, the files it has you write, the commands it has you run. */
export interface Recipe {
  readonly name: string
  readonly blocks: ReadonlyArray<FencedBlock>
  /** Blocks titled with a file name, by that name. */
  readonly files: ReadonlyMap<string, FencedBlock>
  /** Blocks titled "recipe-command", in order. */
  readonly commands: ReadonlyArray<FencedBlock>
}

export const readRecipe = async (fileName: string): Promise<Recipe> => {
  const blocks = fencedBlocks(await readFile(path.join(repoRoot, "docs/recipes", fileName), "utf8"))
  const files = new Map<string, FencedBlock>()
  for (const block of blocks) {
    if (block.title === undefined || block.title === COMMAND_TITLE) continue
    if (files.has(block.title)) throw new Error(`${fileName}: two blocks are titled ${block.title}`)
    files.set(block.title, block)
  }
  return { name: fileName, blocks, files, commands: blocks.filter((block) => block.title === COMMAND_TITLE) }
}

/** The block a recipe titles `name`, or a clear failure naming the recipe. */
export const recipeFile = (recipe: Recipe, name: string): FencedBlock => {
  const block = recipe.files.get(name)
  if (block === undefined) throw new Error(`${recipe.name} has no block titled "${name}" (it has: ${[...recipe.files.keys()].join(", ")})`)
  return block
}
