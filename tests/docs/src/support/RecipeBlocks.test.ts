import { describe, expect, it } from "vitest"
import { fencedBlocks } from "./RecipeBlocks.ts"

describe("fencedBlocks", () => {
  it("reads each fenced block with its language, title, text and line", () => {
    const markdown = [
      "# A recipe",
      "",
      '```json title="tablecast.config.json"',
      '{ "syncs": {} }',
      "```",
      "",
      "```sh",
      "echo untitled",
      "```",
      "",
      '```sh title="recipe-command"',
      "tablecast sync a \\",
      "  --json",
      "```"
    ].join("\n")
    expect(fencedBlocks(markdown)).toEqual([
      { language: "json", title: "tablecast.config.json", text: '{ "syncs": {} }\n', line: 3 },
      { language: "sh", title: undefined, text: "echo untitled\n", line: 7 },
      { language: "sh", title: "recipe-command", text: "tablecast sync a \\\n  --json\n", line: 11 }
    ])
  })

  it("keeps a shorter fence inside a longer one as text", () => {
    const markdown = ["````md", "```sh", "echo inner", "```", "````"].join("\n")
    expect(fencedBlocks(markdown)).toEqual([{ language: "md", title: undefined, text: "```sh\necho inner\n```\n", line: 1 }])
  })

  it("refuses a block that is never closed, naming its line", () => {
    expect(() => fencedBlocks("text\n```sh\necho open\n")).toThrow("line 2: a code block that is never closed")
  })
})
