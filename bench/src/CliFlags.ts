import { execFileSync } from "node:child_process"
import { cliEntry } from "./Paths.ts"

/** The flags `tablecast sync --help` lists, read once at start: other helpers are adding some. */
export type CliFlags = ReadonlySet<string>

export const flagsInHelp = (help: string): CliFlags => new Set(help.match(/--[a-z][a-z0-9-]*/g) ?? [])

export const readCliFlags = (): CliFlags =>
  flagsInHelp(execFileSync(process.execPath, [cliEntry, "sync", "--help"], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } }))

/**
 * The flags of issue #16's contract, and what each contender passes. A flag the CLI does not list
 * yet either has today's behaviour without it (then it is left out, and the label says so) or,
 * for a contender that is that flag, the contender is not available ("n/a (flag missing)").
 */
export interface ResolvedFlags {
  readonly flags: ReadonlyArray<string>
  /** Flags of the contract left out because the CLI does not have them yet. */
  readonly missing: ReadonlyArray<string>
  /** Set when the contender cannot run without a missing flag. */
  readonly unavailable?: string
}

/** The rate limit off, where the CLI has one: loopback contenders measure CPU, not the limit. */
export const noRateLimit = (cli: CliFlags): ResolvedFlags =>
  cli.has("--max-rps") ? { flags: ["--max-rps", "0"], missing: [] } : { flags: [], missing: ["--max-rps"] }

/**
 * The old seed settings in full: `--batch-profile small --min-in-flight 4 --max-in-flight 4
 * --max-rps 0`. Before those flags exist the CLI's defaults are the seed's (100 messages, 0.5 s,
 * 4 in flight, no rate limit), so `--batch-count 100 --max-in-flight 4` says the same.
 */
export const seedSettings = (cli: CliFlags): ResolvedFlags => {
  const flags: Array<string> = []
  const missing: Array<string> = []
  if (cli.has("--batch-profile")) flags.push("--batch-profile", "small")
  else {
    missing.push("--batch-profile")
    flags.push("--batch-count", "100")
  }
  if (cli.has("--min-in-flight")) flags.push("--min-in-flight", "4")
  else missing.push("--min-in-flight")
  flags.push("--max-in-flight", "4")
  if (cli.has("--max-rps")) flags.push("--max-rps", "0")
  else missing.push("--max-rps")
  return { flags, missing }
}

/** tablecast told the receiver's limit: `--max-rps N`; without the flag it cannot be told. */
export const toldLimit = (cli: CliFlags, requestsPerSecond: number): ResolvedFlags =>
  cli.has("--max-rps")
    ? { flags: ["--max-rps", String(requestsPerSecond)], missing: [] }
    : { flags: [], missing: ["--max-rps"], unavailable: "n/a (flag missing: --max-rps)" }
