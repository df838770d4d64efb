// The CLI proper, loaded by run.js once the Node version is known to be supported (nodeGuard.js).
import module from "node:module"
import process from "node:process"
import { heapFlags } from "./heapFlags.js"

// Memory: V8 sizes its heap for throughput, not footprint. A sync allocates fast (every row
// becomes strings) while holding little (its queue), and V8 would let the young generation grow
// to 128 MiB and the old one to several times the live data before collecting them: a
// 1,000,000-row sync peaked near 450 MiB for under 50 MiB of live heap. A young generation of
// 4 MiB per semi-space and an old one grown by at most 50% each time bring that peak to about
// 130–140 MiB for some more CPU, now that a CSV file is parsed and mapped in a worker thread
// (docs/performance.md, "Memory"). glibc's malloc gets two arenas instead of one per thread, and
// its blocks over 128 KiB (request bodies of up to 475,000 bytes) are mapped and given back when
// freed, rather than left in an arena whose threshold glibc would otherwise raise. V8
// flags can only be given at start-up, so the CLI starts itself again with them, in place: execve
// keeps the process, its pid, stdio and signals, and no second Node stays in memory. Not when a
// flag is already set (a re-run, or the user's own, e.g. in NODE_OPTIONS). TABLECAST_NODE_FLAGS
// replaces the flags ("" for none); `--low-memory` picks smaller ones (heapFlags.js).
const marker = "TABLECAST_NODE_FLAGS_APPLIED"

const chosenFlags = () => {
  // process.execve: Node 22.15 and later, not on Windows.
  if (process.env[marker] === "1" || typeof process.execve !== "function" || process.platform === "win32") return []
  return heapFlags({
    args: process.argv.slice(2),
    env: process.env,
    execArgv: process.execArgv,
    v8Major: Number(process.versions.v8.split(".")[0])
  })
}

const flags = chosenFlags()
if (flags.length > 0) {
  process.execve(process.execPath, [process.execPath, ...flags, ...process.execArgv, ...process.argv.slice(1)], {
    MALLOC_ARENA_MAX: "2",
    MALLOC_MMAP_THRESHOLD_: "131072",
    ...process.env,
    [marker]: "1"
  })
}

// Start-up: Node keeps the compiled code of the CLI's modules on disk (in the OS's temp folder)
// and skips compiling them on the next run. NODE_DISABLE_COMPILE_CACHE=1 turns it off.
module.enableCompileCache?.()

// DEBUG=* makes oclif print the command line and the flags: secrets in them (a write key, a
// password in a URL) are replaced before anything is printed (secrets.js).
if (process.env.DEBUG !== undefined && process.env.DEBUG !== "") {
  const { redactDebugOutput } = await import("./secrets.js")
  redactDebugOutput(import.meta.resolve("@oclif/core"), process.argv.slice(2), process.env)
}

// Memory: oclif sorts the command ids with String.prototype.localeCompare as it loads its config,
// and that one call (nothing else in a run collates) makes ICU build a collator and page in its
// collation data: 12–14 MiB more RSS at the peak of every sync. The config is loaded with an
// ordinal comparison in its place (the ids are lowercase ASCII, in the same order either way; it
// only shows in help), and the built-in is put back before any command runs.
const { Config, execute } = await import("@oclif/core")
const loadConfig = async () => {
  const localeCompare = String.prototype.localeCompare
  String.prototype.localeCompare = function (that) {
    const self = String(this)
    return self < that ? -1 : self > that ? 1 : 0
  }
  try {
    return await Config.load(import.meta.url)
  } catch {
    // execute loads it again and reports the error as oclif does.
    return undefined
  } finally {
    String.prototype.localeCompare = localeCompare
  }
}
const config = await loadConfig()
await execute(config === undefined ? { dir: import.meta.url } : { loadOptions: config })
