#!/usr/bin/env node
// Adds up vitest's "Tests  N failed | M passed" lines from a turbo log into one closing line, and
// repeats each failure's heading and first lines of error below it: CI keeps only the log's tail.
import { readFileSync } from "node:fs"

const lines = readFileSync(process.argv[2], "utf8")
  .replace(/\u001b\[[0-9;]*m/g, "")
  .split("\n")
  // turbo's "@tablecast/cli:test: " prefix
  .map((line) => line.replace(/^[^:\s]*:\w+:\s?/, ""))
let passed = 0
let failed = 0
let skipped = 0
let suites = 0
const failures = []
for (const [index, line] of lines.entries()) {
  if (/^\s*FAIL\s/.test(line)) {
    const following = lines.slice(index + 1, index + 12)
    const end = following.findIndex((next) => /^\s*(FAIL\s|⎯|Test Files\s)/.test(next))
    const detail = following.slice(0, end === -1 ? undefined : end).filter((next) => next.trim() !== "")
    failures.push([line.trim(), ...detail.map((next) => `    ${next.trim()}`)].join("\n"))
    continue
  }
  const match = /^\S*\s*Tests\s+(.*)\(\d+\)\s*$/.exec(line)
  if (match === null) continue
  suites++
  for (const [, n, word] of match[1].matchAll(/(\d+) (passed|failed|skipped|todo)/g)) {
    if (word === "passed") passed += Number(n)
    else if (word === "failed") failed += Number(n)
    else skipped += Number(n)
  }
}
if (failures.length > 0) console.log(`\nfailures:\n${[...new Set(failures)].join("\n")}`)
console.log(`\ntest summary over ${suites} package suites:`)
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`)
process.exit(failed > 0 || passed === 0 ? 1 : 0)
