import { readdirSync, readFileSync } from "node:fs"
import { isBuiltin } from "node:module"
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

  it("loads the HTML report's renderer and its chart library only with --report-html or --html", () => {
    const atStart = [...loadedAtStart("tablecast.js")].map((file) => readFileSync(path.join(dist, file), "utf8")).join("\n")
    // The renderer's bar class, Plot's rectY and linkedom's parser.
    for (const marker of ["bins-now", "rectY", "parseHTML"]) expect(atStart).not.toContain(marker)
    const chunks = readdirSync(dist).filter((file) => file.startsWith("chunk-") && file.endsWith(".js"))
    expect(chunks.some((file) => readFileSync(path.join(dist, file), "utf8").includes("bins-now"))).toBe(true)
  })

  it("loads the run profile's sketch only for a run that keeps its history: in a chunk of its own, not at start", () => {
    const atStart = [...loadedAtStart("tablecast.js")].map((file) => readFileSync(path.join(dist, file), "utf8")).join("\n")
    expect(atStart).not.toContain("LogCollapsingLowestDenseDDSketch")
    const chunks = readdirSync(dist).filter((file) => file.startsWith("chunk-") && file.endsWith(".js"))
    const profile = chunks.filter((file) => readFileSync(path.join(dist, file), "utf8").includes("LogCollapsingLowestDenseDDSketch"))
    expect(profile).toHaveLength(1)
    // Its protobuf encoding (never used) is a stub, not protobufjs.
    expect(readFileSync(path.join(dist, profile[0]!), "utf8")).toContain("protobuf encoding is not bundled")
  })

  it("loads the tracking plan's validator (Ajv) only for a run with a plan: in a chunk, not at start", () => {
    const atStart = [...loadedAtStart("tablecast.js")].map((file) => readFileSync(path.join(dist, file), "utf8")).join("\n")
    // Ajv's own message and the check's text.
    for (const marker of ["must NOT have additional properties", "required property missing"]) expect(atStart).not.toContain(marker)
    const chunks = readdirSync(dist).filter((file) => file.startsWith("chunk-") && file.endsWith(".js"))
    expect(chunks.some((file) => readFileSync(path.join(dist, file), "utf8").includes("must NOT have additional properties"))).toBe(true)
  })

  it("loads the streaming JSON parser (dbt manifests) only with --dbt-model or --dbt-project: in a chunk of its own", () => {
    const atStart = [...loadedAtStart("tablecast.js")].map((file) => readFileSync(path.join(dist, file), "utf8")).join("\n")
    // @streamparser/json's error class.
    expect(atStart).not.toContain("TokenParserError")
    const chunks = readdirSync(dist).filter((file) => file.startsWith("chunk-") && file.endsWith(".js"))
    expect(chunks.some((file) => readFileSync(path.join(dist, file), "utf8").includes("TokenParserError"))).toBe(true)
  })

  it("loads undici only with a proxy: its ProxyAgent is in a chunk of its own, not at start", () => {
    const atStart = [...loadedAtStart("tablecast.js")].map((file) => readFileSync(path.join(dist, file), "utf8")).join("\n")
    expect(atStart).not.toContain("ProxyAgent")
    const chunks = readdirSync(dist).filter((file) => file.startsWith("chunk-") && file.endsWith(".js"))
    expect(chunks.some((file) => readFileSync(path.join(dist, file), "utf8").includes("ProxyAgent"))).toBe(true)
  })
})

/** Every package the bundle's files ask Node for (import, import(), require), Node's own modules left out. */
const packagesImported = (files: ReadonlyArray<string>): Map<string, Set<string>> => {
  const found = new Map<string, Set<string>>()
  for (const file of files) {
    const text = readFileSync(path.join(dist, file), "utf8")
    // A specifier is a module's name: no spaces or punctuation beyond @ . / : - (text that merely contains `from"` is not one).
    const name = '"([@\\w.][\\w@./:-]*)"'
    const patterns = [`(?:^|[;}\\s])import\\s*${name}`, `\\bfrom\\s*${name}`, `\\bimport\\(${name}\\)`, `\\b(?:__)?require\\(${name}\\)`].map(
      (source) => new RegExp(source, "g")
    )
    for (const pattern of patterns)
      for (const [, specifier] of text.matchAll(pattern)) {
        if (specifier!.startsWith(".") || specifier!.startsWith("node:") || isBuiltin(specifier!)) continue
        found.set(specifier!, (found.get(specifier!) ?? new Set()).add(file))
      }
  }
  return found
}

describe("the CLI's bundle, as published", () => {
  const bundleFiles = readdirSync(dist).filter((file) => /^(tablecast|CsvReaderWorker|chunk-[\w-]+)\.js$/.test(file))

  it("contains every package but oclif and the drivers (pg-cursor asks for pg's files at run time)", () => {
    // Ajv keeps `require("ajv/dist/runtime/…")` as text, for the standalone code it can write (never run here).
    const ajvCodeText = /^(ajv\/dist\/runtime\/\w+|ajv-formats\/dist\/formats)$/
    const external = [...packagesImported(bundleFiles).keys()].filter((name) => !ajvCodeText.test(name)).sort()
    expect(
      external.filter(
        (name) => !/^(@oclif\/core|pg|pg\/lib\/[\w.]+|snowflake-sdk|@duckdb\/node-api|@databricks\/sql|@google-cloud\/bigquery)$/.test(name)
      )
    ).toEqual([])
    expect(external).toEqual(
      expect.arrayContaining(["@oclif/core", "pg", "snowflake-sdk", "@duckdb/node-api", "@databricks/sql", "@google-cloud/bigquery"])
    )
  })

  it("loads no driver at start: only Node's modules and @oclif/core", () => {
    const atStart = [...loadedAtStart("tablecast.js")]
    expect([...packagesImported(atStart).keys()]).toEqual(["@oclif/core"])
  })

  it("links no source map (the maps stay in the repository, outside the package)", () => {
    for (const file of bundleFiles) expect(readFileSync(path.join(dist, file), "utf8"), file).not.toContain("sourceMappingURL")
  })
})
