import { execFileSync, spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { isSupportedNode, MINIMUM_NODE, NODE_UNSUPPORTED_EXIT_CODE, nodeUnsupportedLine, wantsJson } from "../bin/nodeGuard.js"
import { ExitCode } from "./ExitCode.ts"

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../bin/run.js")

/**
 * A Node older than the supported floor, as a user's machine has: TABLECAST_OLD_NODE, else the first
 * `node` on the PATH outside node_modules (pnpm puts the repository's Node 24 first) or in the
 * usual system folders. This machine and CI's fresh one have Node 20 there.
 */
const oldNode = (): { readonly path: string; readonly version: string } => {
  const folders = [
    ...(process.env.PATH ?? "").split(path.delimiter).filter((folder) => !folder.includes("node_modules")),
    "/usr/local/bin",
    "/usr/bin"
  ]
  const candidates = [process.env.TABLECAST_OLD_NODE, ...folders.map((folder) => path.join(folder, "node"))]
  for (const candidate of candidates) {
    if (candidate === undefined || candidate === "" || !existsSync(candidate)) continue
    const version = execFileSync(candidate, ["-p", "process.version"], { encoding: "utf8", env: {} }).trim()
    if (!isSupportedNode(version)) return { path: candidate, version }
  }
  throw new Error(`no Node older than ${MINIMUM_NODE} found on the PATH or in /usr/local/bin, /usr/bin: set TABLECAST_OLD_NODE`)
}

describe("the Node version guard (bin/nodeGuard.js)", () => {
  it("accepts 22.15.0 and later, refuses what is older", () => {
    expect(["22.15.0", "v22.15.0", "22.15.1", "22.16.0", "23.0.0", "24.9.0", "v25.0.0-nightly"].filter(isSupportedNode)).toHaveLength(7)
    expect(["22.14.9", "v22.14.0", "22.0.0", "21.99.99", "20.20.2", "v18.0.0"].filter(isSupportedNode)).toEqual([])
  })

  it("reads --json only before a --", () => {
    expect(wantsJson(["sync", "--json"])).toBe(true)
    expect(wantsJson(["sync", "--", "--json"])).toBe(false)
    expect(wantsJson(["--version"])).toBe(false)
  })

  it("exits with the documented code, 12", () => {
    expect(NODE_UNSUPPORTED_EXIT_CODE).toBe(ExitCode.nodeUnsupported)
  })

  it("names the needed and the running version in one line, or one JSON error", () => {
    expect(nodeUnsupportedLine("v20.1.0", false)).toBe("tablecast needs Node.js 22.15 or later; this is Node.js v20.1.0.")
    const json = JSON.parse(nodeUnsupportedLine("v20.1.0", true))
    expect(json).toEqual({
      error: { code: 12, name: "NodeUnsupportedError", message: nodeUnsupportedLine("v20.1.0", false), required: "22.15.0", running: "v20.1.0" }
    })
  })

  describe("on the machine's old Node, every command stops at once with one line and exit code 12", () => {
    const node = oldNode()
    const run = (args: ReadonlyArray<string>) => spawnSync(node.path, [bin, ...args], { encoding: "utf8", env: { PATH: process.env.PATH ?? "" } })
    const line = `tablecast needs Node.js 22.15 or later; this is Node.js ${node.version}.\n`

    it.each([["--version"], ["--help"], ["help", "sync"], ["sync", "--file", "rows.csv", "--event", "Scored"], ["sink"], ["no-such-command"]])(
      "tablecast %s",
      (...args) => {
        const result = run(args)
        expect({ code: result.status, stderr: result.stderr, stdout: result.stdout }).toEqual({ code: 12, stderr: line, stdout: "" })
      }
    )

    it("with --json, the line is a JSON error on stdout", () => {
      const result = run(["sync", "--file", "rows.csv", "--json"])
      expect(result.status).toBe(12)
      expect(result.stderr).toBe("")
      expect(result.stdout.endsWith("\n") && result.stdout.trim().split("\n")).toHaveLength(1)
      expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: 12, required: "22.15.0", running: node.version } })
    })
  })
})
