import { beforeAll, describe, expect, it } from "vitest"
import { readPage, userPages } from "../support/Pages.ts"
import { cliBin } from "../support/Processes.ts"
import { runProgram } from "../support/Shell.ts"

// The memory and speed figures a user reads agree everywhere: README, the manual, the packages'
// READMEs, the changesets and `tablecast sync --help` state the figures docs/performance.md gives
// as today's. The history of the rounds (performance-history.md) and the benchmarks' own pages
// keep their runs' figures and are not checked.

const HISTORY = new Set(["docs/performance-history.md", "docs/incremental-benchmark.md"])

interface Figures {
  readonly defaultPeak: string
  readonly lowMemoryPeak: string
  readonly lowMemorySpeed: string
}

/** Today's figures, as docs/performance.md states them at its top. */
const todaysFigures = (performance: string): Figures => {
  const memory = /\*\*Peak memory: about (\d+–\d+) MiB by default, about (\d+–\d+) MiB with `--low-memory`\*\*/.exec(performance)
  const speed = /`--low-memory` runs at about (\d\.\d+) times\s+the speed/.exec(performance)
  if (memory === null || speed === null)
    throw new Error("docs/performance.md no longer states today's peak memory and --low-memory speed in the expected words")
  return { defaultPeak: memory[1]!, lowMemoryPeak: memory[2]!, lowMemorySpeed: speed[1]! }
}

/** A text's sentences, whitespace folded (so wrapped lines and --help's columns read alike). */
const sentences = (text: string): Array<string> =>
  text
    .replace(/\s+/g, " ")
    .split(/(?<=[.;:!?])\s+(?=[A-Z`(*-])|\s+-\s+|\|/)
    .filter((sentence) => sentence.trim() !== "")

const ranges = (sentence: string) => [...sentence.matchAll(/(\d+)–(\d+)(?= MiB|\)| without)/g)].map((match) => `${match[1]}–${match[2]}`)

/** What a sentence about memory states that differs from today's figures. */
const disagreements = (where: string, text: string, figures: Figures): Array<string> => {
  const found: Array<string> = []
  for (const sentence of sentences(text)) {
    const aboutLowMemory = sentence.includes("low-memory")
    const aboutSyncPeak = /peaks? (at )?about \d+–\d+ MiB|about \d+–\d+ MiB at the peak/.test(sentence)
    if (!aboutLowMemory && !aboutSyncPeak) continue
    for (const range of ranges(sentence)) {
      if (range !== figures.defaultPeak && range !== figures.lowMemoryPeak) found.push(`${where}: ${range} in "${sentence.trim().slice(0, 200)}"`)
    }
    if (aboutLowMemory) {
      for (const speed of sentence.matchAll(/(\d\.\d+) times the (default's )?speed/g)) {
        if (speed[1] !== figures.lowMemorySpeed) found.push(`${where}: ${speed[1]} times the speed in "${sentence.trim().slice(0, 200)}"`)
      }
    }
  }
  return found
}

let figures: Figures

beforeAll(async () => {
  figures = todaysFigures((await readPage("docs/performance.md"))!)
})

describe("figures", () => {
  it("finds a figure that differs from today's (the check itself)", () => {
    const page = "A sync peaks at about 130–140 MiB. With `--low-memory`: about 115–120 MiB, at about 0.6 times the speed."
    expect(disagreements("example", page, figures)).toHaveLength(3)
    const agreeing = `With \`--low-memory\`: about ${figures.lowMemoryPeak} MiB at the peak (${figures.defaultPeak} without), at about ${figures.lowMemorySpeed} times the speed.`
    expect(disagreements("example", agreeing, figures)).toEqual([])
  })

  it("states today's figures on every page a user reads", async () => {
    const found: Array<string> = []
    for (const page of await userPages()) {
      if (HISTORY.has(page)) continue
      const text = await readPage(page)
      if (text !== undefined) found.push(...disagreements(page, text, figures))
    }
    expect(found).toEqual([])
  })

  it("states the same --low-memory figures in `tablecast sync --help` as in docs/performance.md", async () => {
    const help = await runProgram(process.execPath, [cliBin, "sync", "--help"], { cwd: process.cwd(), binDir: process.cwd() })
    expect(help.code, help.stderr).toBe(0)
    const lowMemory = sentences(help.stdout.slice(help.stdout.indexOf("--low-memory  ")))
      .slice(0, 3)
      .join(" ")
    expect(lowMemory).toContain(`about ${figures.lowMemoryPeak} MiB`)
    expect(lowMemory).toContain(`${figures.defaultPeak} MiB without`)
    expect(lowMemory).toContain(`about ${figures.lowMemorySpeed} times the speed`)
    expect(disagreements("tablecast sync --help", help.stdout, figures)).toEqual([])
  })
})
