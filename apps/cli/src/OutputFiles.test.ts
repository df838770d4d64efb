import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, symlink, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { beforeEach, describe, expect, it } from "vitest"
import { checkOutput, OutputLocationError } from "./OutputFiles.ts"

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "tablecast-outputs-"))
})

const failureOf = async (promise: Promise<unknown>): Promise<OutputLocationError> => {
  try {
    await promise
  } catch (error) {
    if (error instanceof OutputLocationError) return error
    throw error
  }
  throw new Error("expected an OutputLocationError")
}

describe("checkOutput", () => {
  it("creates a missing folder, and leaves nothing behind but the folder", async () => {
    const file = path.join(dir, "a", "b", "report.json")
    await checkOutput({ flag: "--report", path: file, mode: "replace" })
    expect((await lstat(path.dirname(file))).isDirectory()).toBe(true)
    expect(await readdir(path.dirname(file))).toEqual([])
  })

  it("refuses a symbolic link, naming the flag and the path, and leaves its target alone", async () => {
    const target = path.join(dir, "precious.txt")
    await writeFile(target, "keep me\n")
    const link = path.join(dir, "rejects.jsonl")
    await symlink(target, link)
    for (const mode of ["replace", "stream", "database"] as const) {
      const error = await failureOf(checkOutput({ flag: "--rejects", path: link, mode }))
      expect(error.message).toBe(
        `--rejects ${link}: it is a symbolic link, and tablecast never writes through one: give the path of a regular file`
      )
    }
    expect(await readFile(target, "utf8")).toBe("keep me\n")
  })

  it("refuses a folder, a path through a file, and a folder it cannot write to", async () => {
    expect((await failureOf(checkOutput({ flag: "--report", path: dir, mode: "replace" }))).message).toMatch(/it is a folder/)
    const file = path.join(dir, "plain")
    await writeFile(file, "")
    expect((await failureOf(checkOutput({ flag: "--state-dir", path: path.join(file, "x.json"), mode: "replace" }))).message).toMatch(
      /^--state-dir .*plain\/x\.json: a part of the path is a file, not a folder \(ENOTDIR\)$/
    )
    // Root writes anywhere: chmod cannot make a folder unwritable for it.
    if (process.getuid?.() !== 0) {
      const locked = path.join(dir, "locked")
      await mkdir(locked)
      await chmod(locked, 0o555)
      expect((await failureOf(checkOutput({ flag: "--report", path: path.join(locked, "r.json"), mode: "replace" }))).message).toMatch(
        /its folder .* is not writable: permission denied \(EACCES\)/
      )
    }
  })

  it("takes a character device for a streamed output (/dev/null), not for a replaced one", async () => {
    await checkOutput({ flag: "--rejects", path: "/dev/null", mode: "stream" })
    expect((await failureOf(checkOutput({ flag: "--report", path: "/dev/null", mode: "replace" }))).message).toMatch(/not a regular file/)
  })
})
