import process from "node:process"

// `node dist/main.js`: serves the edge on PORT (14319) at HOST (127.0.0.1), configured by the environment.
//
// Memory: V8 sizes its heap for throughput, not footprint. A large synchronous run (SYNC_MAX_ROWS
// raised to 250,000) allocates fast while holding its rows, and V8 would let the heap grow to
// several times the live data: a body at the byte limit peaked at 340–410 MiB. A young generation
// of 4 MiB per semi-space and an old one grown by at most 50% each time keep it near 220 MiB
// (apps/edge/bench/body-memory.mjs; the CLI does the same, apps/cli/bin/run.js). V8 flags can only be
// given at start-up, so the entry starts itself again with them, in place (execve keeps the pid,
// stdio and signals). Not when the flag is already set (in Node's options or NODE_OPTIONS: yours
// win); TABLECAST_NODE_FLAGS replaces the flags ("" for none).
const marker = "TABLECAST_NODE_FLAGS_APPLIED"
const heapFlags = ["--max-semi-space-size=4", "--heap-growing-percent=50"]
const nameOf = (flag: string) => flag.split("=")[0]!.replaceAll("_", "-")
const v8Major = Number(process.versions.v8.split(".")[0])

if (process.env[marker] !== "1" && typeof process.execve === "function" && process.platform !== "win32") {
  const chosen = process.env["TABLECAST_NODE_FLAGS"]?.split(" ").filter((flag) => flag !== "") ?? (v8Major >= 11 && v8Major <= 14 ? heapFlags : [])
  const given = [...process.execArgv, ...(process.env["NODE_OPTIONS"]?.split(" ") ?? [])].map(nameOf)
  const flags = chosen.filter((flag) => !given.includes(nameOf(flag)))
  if (flags.length > 0) {
    process.execve(process.execPath, [process.execPath, ...flags, ...process.execArgv, ...process.argv.slice(1)], {
      ...process.env,
      [marker]: "1"
    })
  }
}

const { EdgeConfigError } = await import("./EdgeConfig.ts")
const { startNodeServer } = await import("./node.ts")

let server: Awaited<ReturnType<typeof startNodeServer>>
try {
  server = await startNodeServer({
    port: Number(process.env["PORT"] ?? 14319),
    hostname: process.env["HOST"] ?? "127.0.0.1"
  })
} catch (error) {
  if (!(error instanceof EdgeConfigError)) throw error
  // The message names the variables at fault, never their values.
  process.stderr.write(`tablecast-edge: ${error.message}\n`)
  process.exit(2)
}
console.log(JSON.stringify({ time: new Date().toISOString(), level: "info", event: "server.listening", url: server.url }))
const stop = () => void server.close().then(() => process.exit(0))
process.once("SIGINT", stop)
process.once("SIGTERM", stop)
