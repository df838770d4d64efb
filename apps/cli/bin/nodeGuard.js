// The first thing the CLI runs (run.js), before any module that could fail to load on an older
// Node: on a Node older than the lowest supported one, every command (`--help` and `--version`
// too) stops at once with one line, instead of half-working and then failing on a missing
// built-in. Kept to syntax and APIs that Node 12.20 already had (no `node:` prefix, no top-level
// await), so that it runs on the Nodes it refuses.
// biome-ignore lint/style/useNodejsImportProtocol: the guard runs on Nodes older than the prefix
import { writeSync } from "fs"

/** The lowest supported Node: node:sqlite without a flag, and process.execve for run.js's memory flags. */
export const MINIMUM_NODE = "22.15.0"

/** `nodeUnsupported` in src/ExitCode.ts (docs/exit-codes.md). */
export const NODE_UNSUPPORTED_EXIT_CODE = 12

const numbersOf = (version) =>
  String(version)
    .replace(/^v/, "")
    .split(/[.-]/)
    .slice(0, 3)
    .map((part) => Number(part) || 0)

/** True when `version` (e.g. "22.15.0" or "v20.20.2") is MINIMUM_NODE or later. */
export const isSupportedNode = (version) => {
  const running = numbersOf(version)
  const minimum = numbersOf(MINIMUM_NODE)
  for (let index = 0; index < 3; index++) {
    if (running[index] !== minimum[index]) return running[index] > minimum[index]
  }
  return true
}

/** True when the command line asks for `--json` (before a `--`, which ends the flags). */
export const wantsJson = (args) => {
  const end = args.indexOf("--")
  return (end === -1 ? args : args.slice(0, end)).indexOf("--json") !== -1
}

/** The one line printed on an unsupported Node: text (for stderr), or with --json an error object (for stdout). */
export const nodeUnsupportedLine = (running, json) => {
  const message = `tablecast needs Node.js ${MINIMUM_NODE.replace(/\.0$/, "")} or later; this is Node.js ${running}.`
  if (!json) return message
  return JSON.stringify({
    error: { code: NODE_UNSUPPORTED_EXIT_CODE, name: "NodeUnsupportedError", message, required: MINIMUM_NODE, running }
  })
}

/** Ends the process with exit code 12 and one line when this Node is older than MINIMUM_NODE. */
export const exitUnlessNodeSupported = () => {
  if (isSupportedNode(process.versions.node)) return
  const json = wantsJson(process.argv.slice(2))
  // Written synchronously: process.exit would not wait for a pending write to a pipe.
  writeSync(json ? 1 : 2, `${nodeUnsupportedLine(process.version, json)}\n`)
  process.exit(NODE_UNSUPPORTED_EXIT_CODE)
}
