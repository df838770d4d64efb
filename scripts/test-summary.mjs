#!/usr/bin/env node
// Adds up vitest's "Tests  N failed | M passed" lines from a turbo log into one closing line.
import { readFileSync } from "node:fs"

const text = readFileSync(process.argv[2], "utf8").replace(/\u001b\[[0-9;]*m/g, "")
let passed = 0
let failed = 0
let skipped = 0
let suites = 0
for (const line of text.split("\n")) {
  const match = /^\S*\s*Tests\s+(.*)\(\d+\)\s*$/.exec(line.replace(/^[^:]*:\w+:\s*/, ""))
  if (match === null) continue
  suites++
  for (const [, n, word] of match[1].matchAll(/(\d+) (passed|failed|skipped|todo)/g)) {
    if (word === "passed") passed += Number(n)
    else if (word === "failed") failed += Number(n)
    else skipped += Number(n)
  }
}
console.log(`\ntest summary over ${suites} package suites:`)
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`)
process.exit(failed > 0 || passed === 0 ? 1 : 0)
