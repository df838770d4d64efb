import { describe, expect, it } from "vitest"
import { runCli } from "./testing/runCli.ts"
import { closestName } from "./UsageError.ts"

const lines = (text: string) => text.split("\n").filter((line) => line !== "")

describe("closestName", () => {
  it("names the closest, every one equally close, or none when nothing is close", () => {
    expect(closestName("evnt", ["event", "endpoint", "empty"])).toBe("event")
    expect(closestName("synk", ["help", "inspect", "plan", "preview", "sink", "sync"])).toBe("sink or sync")
    expect(closestName("xyzzy", ["help", "inspect", "plan", "preview", "sink", "sync"])).toBeUndefined()
  })
})

describe("a mistake on the command line (the built CLI)", () => {
  it("a mistyped command: did you mean, a hint to --help, exit 2, never a prompt", async () => {
    const result = await runCli(["synk", "-f", "scores.csv"])
    expect(result.code).toBe(2)
    expect(result.stdout).toBe("")
    expect(lines(result.stderr)).toEqual(["tablecast: synk is not a tablecast command; did you mean sink or sync?", "See 'tablecast --help'."])
    expect((await runCli(["plna"])).stderr).toContain("did you mean plan?")
  })

  it("a mistyped flag: its name, the flag meant, one line of hint instead of the usage", async () => {
    const result = await runCli(["sync", "--evnt", "Scored"])
    expect(result.code).toBe(2)
    expect(lines(result.stderr)).toEqual(["tablecast: Nonexistent flag: --evnt; --evnt: did you mean --event?", "See 'tablecast sync --help'."])
  })

  it("a flag without its value, a value of the wrong kind, one not among the options: the same two lines", async () => {
    const cases: ReadonlyArray<readonly [ReadonlyArray<string>, RegExp]> = [
      [["sync", "-f", "scores.csv", "--event"], /^tablecast: Flag --event expects a value$/],
      [["sink", "--port", "abc"], /^tablecast: --port: Expected an integer but received: abc$/],
      [["sync", "--progress", "loud"], /^tablecast: Expected --progress=loud to be one of: auto, bar, lines, none$/],
      [["preview", "a", "b"], /^tablecast: Unexpected argument: b$/]
    ]
    for (const [args, error] of cases) {
      const result = await runCli(args)
      expect(result.code, args.join(" ")).toBe(2)
      const [first, hint, ...rest] = lines(result.stderr)
      expect(first, args.join(" ")).toMatch(error)
      expect(hint).toBe(`See 'tablecast ${args[0]} --help'.`)
      expect(rest).toEqual([])
    }
  })
})
