#!/usr/bin/env bash
# What `pnpm lint` would say about the tree, counted rather than listed: lint findings per rule,
# the files the formatter would rewrite, and the import cycles (type-only imports included).
# Changes nothing. With --after-fix, counts what would be left after `pnpm lint:fix` (the
# formatter and Biome's safe fixes), worked out on a scratch copy of the tracked files.
# Always exits 0: `pnpm lint` is the check.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
biome="$root/node_modules/.bin/biome"
[ -x "$biome" ] || { echo "no $biome: run pnpm install first" >&2; exit 1; }

where="$root"
if [ "${1:-}" = "--after-fix" ]; then
  scratch="$(mktemp -d -t tablecast-lint.XXXXXX)"
  trap 'rm -rf "$scratch"' EXIT
  git ls-files -z --cached --others --exclude-standard -- . ":!:node_modules" | xargs -0 cp --parents -t "$scratch"
  # Biome's VCS integration wants a repository; the copy gets an empty one.
  git -C "$scratch" init -q
  ln -s "$root/node_modules" "$scratch/node_modules"
  (cd "$scratch" && "$biome" check --write --max-diagnostics=0 . >/dev/null 2>&1 || true)
  where="$scratch"
  echo "after pnpm lint:fix (formatter + safe fixes), on a scratch copy:"
fi

cd "$where"
lint="$(mktemp -t tablecast-lint.XXXXXX.json)"
format="$(mktemp -t tablecast-format.XXXXXX.json)"
"$biome" lint --reporter=json --max-diagnostics=none . >"$lint" 2>/dev/null || true
"$biome" format --reporter=json --max-diagnostics=none . >"$format" 2>/dev/null || true

node - "$lint" "$format" <<'EOF'
const { readFileSync } = require("node:fs")
const path = require("node:path")
const [lintFile, formatFile] = process.argv.slice(2)
const lint = JSON.parse(readFileSync(lintFile, "utf8"))
const format = JSON.parse(readFileSync(formatFile, "utf8"))

const counts = new Map()
for (const d of lint.diagnostics) {
  const key = `${d.category.replace(/^lint\//, "")} (${d.severity})`
  counts.set(key, (counts.get(key) ?? 0) + 1)
}
const rows = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
console.log(`lint findings per rule (${lint.summary.errors} errors, ${lint.summary.warnings} warnings, ${lint.summary.infos} infos):`)
for (const [rule, n] of rows) console.log(`  ${String(n).padStart(5)}  ${rule}`)
if (rows.length === 0) console.log("  none")

const unformatted = format.diagnostics.filter((d) => d.category === "format").length
console.log(`format: ${unformatted} files would be rewritten by the formatter`)

// Each finding of noImportCycles marks one import that lies on a cycle: import the edges, then
// the strongly connected components of those edges are the cycles.
const lines = new Map()
const lineOf = (file, n) => {
  if (!lines.has(file)) lines.set(file, readFileSync(file, "utf8").split("\n"))
  return lines.get(file)[n - 1] ?? ""
}
const edges = new Map()
for (const d of lint.diagnostics) {
  if (d.category !== "lint/suspicious/noImportCycles") continue
  const { path: file, start, end } = d.location
  const text = lineOf(file, start.line).slice(start.column - 1, start.line === end.line ? end.column - 1 : undefined)
  const specifier = text.replace(/^["']|["']$/g, "")
  const target = specifier.startsWith(".") ? path.normalize(path.join(path.dirname(file), specifier)) : specifier
  if (!edges.has(file)) edges.set(file, new Set())
  edges.get(file).add(target)
}
// Tarjan's algorithm, small enough to write out.
let index = 0
const state = new Map()
const stack = []
const components = []
const visit = (node) => {
  state.set(node, { index, low: index, onStack: true })
  index++
  stack.push(node)
  for (const next of edges.get(node) ?? []) {
    if (!state.has(next)) {
      visit(next)
      state.get(node).low = Math.min(state.get(node).low, state.get(next).low)
    } else if (state.get(next).onStack) {
      state.get(node).low = Math.min(state.get(node).low, state.get(next).index)
    }
  }
  if (state.get(node).low === state.get(node).index) {
    const component = []
    let member
    do {
      member = stack.pop()
      state.get(member).onStack = false
      component.push(member)
    } while (member !== node)
    if (component.length > 1) components.push(component.sort())
  }
}
for (const node of edges.keys()) if (!state.has(node)) visit(node)
console.log(`import cycles (type-only imports included): ${components.length}`)
for (const component of components.sort((a, b) => a[0].localeCompare(b[0]))) {
  const folder = path.dirname(component[0])
  const short = component.map((file) => (path.dirname(file) === folder ? path.basename(file, ".ts") : file))
  console.log(`  ${folder}: ${short.join(" ↔ ")}`)
}
EOF
rm -f "$lint" "$format"
