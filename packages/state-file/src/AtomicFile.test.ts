import { lstat, mkdtemp, readdir, readFile, symlink, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { beforeEach, describe, expect, it } from "vitest"
import { writeFileAtomically } from "./AtomicFile.ts"

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "tablecast-outputs-"))
})

describe("writeFileAtomically", () => {
  it("replaces a file whole and leaves no temporary file", async () => {
    const file = path.join(dir, "out", "report.json")
    await writeFileAtomically(file, "one\n")
    await writeFileAtomically(file, "two\n", { sync: true })
    expect(await readFile(file, "utf8")).toBe("two\n")
    expect(await readdir(path.dirname(file))).toEqual(["report.json"])
  })

  it("refuses to write through a symbolic link", async () => {
    const target = path.join(dir, "precious.txt")
    await writeFile(target, "keep me\n")
    const link = path.join(dir, "report.json")
    await symlink(target, link)
    await expect(writeFileAtomically(link, "overwritten\n")).rejects.toThrow(/symbolic link/)
    expect(await readFile(target, "utf8")).toBe("keep me\n")
    expect((await lstat(link)).isSymbolicLink()).toBe(true)
  })
})
