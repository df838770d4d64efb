// The V8 flags the CLI starts Node with (see run.js). Its own module so that a test can call it.

/** V8 flags, not Node's: known to exist in V8 11 to 13 (Node 20 to 24). */
const knownV8 = (v8Major) => v8Major >= 11 && v8Major <= 13

// Speed first (the default): a young generation of 4 MiB per semi-space and an old one grown by at
// most 50% each time: with the queue of 500, about 130–140 MiB at the peak of a large sync, for
// 10–15% more time than 8 MiB (docs/performance.md, "Memory" and the sixth round).
const speedFlags = ["--max-semi-space-size=4", "--heap-growing-percent=50"]
// `--low-memory`: 2 MiB semi-spaces and 30% growth. More frequent, smaller collections: on one
// thread, about 15 MiB less at the peak for about 20% more time (docs/performance.md, fourth round).
const memoryFlags = ["--max-semi-space-size=2", "--heap-growing-percent=30"]

const nameOf = (flag) => flag.split("=")[0].replaceAll("_", "-")

/** True when the command line asks for `--low-memory` (before a `--`, which ends the flags). */
export const wantsLowMemory = (args) => {
  const end = args.indexOf("--")
  return (end === -1 ? args : args.slice(0, end)).includes("--low-memory")
}

/**
 * The flags to add: none when the user set them (in Node's options or NODE_OPTIONS: theirs win),
 * `TABLECAST_NODE_FLAGS` instead of ours when it is set ("" for none), none on a V8 we do not know.
 */
export const heapFlags = ({ args, env, execArgv, v8Major }) => {
  const ours = wantsLowMemory(args) ? memoryFlags : speedFlags
  const chosen = env.TABLECAST_NODE_FLAGS?.split(" ").filter((flag) => flag !== "") ?? (knownV8(v8Major) ? ours : [])
  const given = [...execArgv, ...(env.NODE_OPTIONS?.split(" ") ?? [])].map(nameOf)
  return chosen.filter((flag) => !given.includes(nameOf(flag)))
}
