import { readdir, readFile } from "node:fs/promises"
import path from "node:path"
import { repoRoot } from "./RecipeBlocks.ts"

/** Markdown files under `dir` (relative to the repository), recursively, skipping node_modules. */
const markdownUnder = async (dir: string): Promise<Array<string>> => {
  const entries = await readdir(path.join(repoRoot, dir), { withFileTypes: true }).catch(() => [])
  const found: Array<string> = []
  for (const entry of entries) {
    const relative = path.join(dir, entry.name)
    if (entry.isDirectory() && entry.name !== "node_modules" && !entry.name.startsWith(".")) found.push(...(await markdownUnder(relative)))
    else if (entry.isFile() && entry.name.endsWith(".md")) found.push(relative)
  }
  return found
}

/** The pages a user reads: README, the manual, the packages' READMEs, and the pending changesets. */
export const userPages = async (): Promise<Array<string>> => {
  const packages = await readdir(path.join(repoRoot, "packages"))
  return [
    "README.md",
    ...(await markdownUnder("docs")),
    "apps/cli/README.md",
    "apps/edge/README.md",
    "bench/README.md",
    ...packages.map((name) => `packages/${name}/README.md`),
    ...(await markdownUnder(".changeset")).filter((file) => !file.endsWith("README.md"))
  ]
}

/** A page's text, or undefined when it does not exist. */
export const readPage = (file: string): Promise<string | undefined> => readFile(path.join(repoRoot, file), "utf8").catch(() => undefined)

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export const headingSlug = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-")

/** Every anchor a Markdown page has (its headings, numbered as GitHub numbers repeats). */
export const anchorsOf = (markdown: string): Set<string> => {
  const anchors = new Set<string>()
  const seen = new Map<string, number>()
  let fenced = false
  for (const line of markdown.split("\n")) {
    if (/^(`{3,}|~{3,})/.test(line)) fenced = !fenced
    if (fenced) continue
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1]
    if (heading === undefined) continue
    const slug = headingSlug(heading)
    const count = seen.get(slug) ?? 0
    anchors.add(count === 0 ? slug : `${slug}-${count}`)
    seen.set(slug, count + 1)
  }
  return anchors
}
