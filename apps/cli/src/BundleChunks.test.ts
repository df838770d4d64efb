import { readdirSync, readFileSync } from "node:fs"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

// The built CLI (the test script builds it first): dist/tablecast.js, and each source in a chunk
// loaded by the first run that uses it (sources/SourceRegistry.ts, scripts/bundle.js).
const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../dist")

/** The files loaded with a file, before any `import()`: the file and its static imports, transitively. */
const loadedAtStart = (entry: string): Set<string> => {
  const seen = new Set<string>()
  const visit = (file: string) => {
    if (seen.has(file)) return
    seen.add(file)
    const text = readFileSync(path.join(dist, file), "utf8")
    for (const [, chunk] of text.matchAll(/(?:from|import)\s*"\.\/(chunk-[^"]+\.js)"/g)) visit(chunk!)
  }
  visit(entry)
  return seen
}

describe("the CLI's bundle", () => {
  it("loads no source at start: each comes with the first run that reads it", () => {
    const text = [...loadedAtStart("tablecast.js")].map((file) => readFileSync(path.join(dist, file), "utf8")).join("\n")
    expect(text).toContain("COMMANDS")
    for (const marker of ["CsvSourceConfig", "PostgresSourceConfig", "SnowflakeSourceConfig", "require_pg_cursor"])
      expect(text).not.toContain(marker)
  })

  it("loads undici only with a proxy: its ProxyAgent is in a chunk of its own, not at start", () => {
    const atStart = [...loadedAtStart("tablecast.js")].map((file) => readFileSync(path.join(dist, file), "utf8")).join("\n")
    expect(atStart).not.toContain("ProxyAgent")
    const chunks = readdirSync(dist).filter((file) => file.startsWith("chunk-") && file.endsWith(".js"))
    expect(chunks.some((file) => readFileSync(path.join(dist, file), "utf8").includes("ProxyAgent"))).toBe(true)
  })
})
