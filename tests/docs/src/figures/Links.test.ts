import path from "node:path"
import { describe, expect, it } from "vitest"
import { anchorsOf, headingSlug, readPage, userPages } from "../support/Pages.ts"

// Every link from one page of the manual to another (or to a heading of its own) resolves: the
// file exists and, when the link names a heading, the page has it. Moving sections between pages
// (docs/performance.md's history, say) must not leave a link pointing nowhere.

describe("links between the pages", () => {
  it("computes GitHub's anchors", () => {
    expect(headingSlug("What changed: less code, and `--low-memory` (fourth round)")).toBe("what-changed-less-code-and---low-memory-fourth-round")
    expect(headingSlug("On a network like Segment's (seventh round, issue #16)")).toBe("on-a-network-like-segments-seventh-round-issue-16")
    expect([...anchorsOf("# A\n## Notes\n```sh\n# not a heading\n```\n## Notes\n")]).toEqual(["a", "notes", "notes-1"])
  })

  it("resolves every relative link to a Markdown page and its heading", async () => {
    const broken: Array<string> = []
    for (const page of await userPages()) {
      const text = await readPage(page)
      if (text === undefined) continue
      const withoutCode = text.replace(/^(`{3,})[^\n]*\n[\s\S]*?^\1\s*$/gm, "")
      for (const match of withoutCode.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = match[1]!
        if (/^[a-z]+:/i.test(target)) continue
        const [file, anchor] = target.split("#") as [string, string | undefined]
        if (file !== "" && !file.endsWith(".md")) continue
        const targetPage = file === "" ? page : path.normalize(path.join(path.dirname(page), file))
        const targetText = await readPage(targetPage)
        if (targetText === undefined) {
          broken.push(`${page}: ${target} (no such page)`)
          continue
        }
        if (anchor !== undefined && !anchorsOf(targetText).has(anchor)) broken.push(`${page}: ${target} (no such heading in ${targetPage})`)
      }
    }
    expect(broken).toEqual([])
  })
})
