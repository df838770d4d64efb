#!/usr/bin/env node
import module from "node:module"
import process from "node:process"

// Memory: V8 sizes its heap for throughput, not footprint. A sync allocates fast (every row
// becomes strings) while holding little (its queue), and V8 would let the young generation grow
// to 128 MiB and the old one to several times the live data before collecting them: a
// 1,000,000-row sync peaked near 450 MiB for under 50 MiB of live heap. A young generation of
// 8 MiB per semi-space and an old one grown by at most 50% each time cut that peak by about half
// for a few percent more CPU, now that a CSV file is parsed and mapped in a worker thread
// (docs/performance.md, "Memory"); glibc's malloc gets two arenas instead of one per thread. V8
// flags can only be given at start-up, so the CLI starts itself again with them, in place: execve
// keeps the process, its pid, stdio and signals, and no second Node stays in memory. Not when a
// flag is already set (a re-run, or the user's own, e.g. in NODE_OPTIONS). TABLECAST_NODE_FLAGS
// replaces the flags ("" for none).
const marker = "TABLECAST_NODE_FLAGS_APPLIED"
const v8Major = Number(process.versions.v8.split(".")[0])
// A V8 flag, not one of Node's: known to exist in V8 11 to 13 (Node 20 to 24). An unknown flag
// would stop Node from starting, so later versions get none unless asked for.
const defaultFlags = v8Major >= 11 && v8Major <= 13 ? ["--max-semi-space-size=8", "--heap-growing-percent=50"] : []

const nameOf = (flag) => flag.split("=")[0].replaceAll("_", "-")

const heapFlags = () => {
  // process.execve: Node 22.15 and later, not on Windows.
  if (process.env[marker] === "1" || typeof process.execve !== "function" || process.platform === "win32") return []
  const chosen = process.env.TABLECAST_NODE_FLAGS?.split(" ").filter((flag) => flag !== "") ?? defaultFlags
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS?.split(" ") ?? [])].map(nameOf)
  return chosen.filter((flag) => !given.includes(nameOf(flag)))
}

const flags = heapFlags()
if (flags.length > 0) {
  process.execve(process.execPath, [process.execPath, ...flags, ...process.execArgv, ...process.argv.slice(1)], {
    MALLOC_ARENA_MAX: "2",
    ...process.env,
    [marker]: "1"
  })
}

// Start-up: Node keeps the compiled code of the CLI's modules on disk (in the OS's temp folder)
// and skips compiling them on the next run. NODE_DISABLE_COMPILE_CACHE=1 turns it off.
module.enableCompileCache?.()

const { execute } = await import("@oclif/core")
await execute({ dir: import.meta.url })
