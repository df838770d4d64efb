import { readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const here = dirname(fileURLToPath(import.meta.url))
const specifierPattern = /(?:import|export)\s[^"']*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g

/** The package a specifier names: "effect/Effect" is "effect", "@tablecast/core/mapper" is "@tablecast/core". */
const packageOf = (specifier: string): string =>
  specifier
    .split("/")
    .slice(0, specifier.startsWith("@") ? 2 : 1)
    .join("/")

/** Every package reachable from a local entry file, following local imports. */
const reachableSpecifiers = (entry: string): { files: Set<string>; packages: Set<string> } => {
  const files = new Set<string>()
  const packages = new Set<string>()
  const visit = (file: string) => {
    if (files.has(file)) return
    files.add(file)
    for (const match of readFileSync(file, "utf8").matchAll(specifierPattern)) {
      const specifier = match[1] ?? match[2] ?? ""
      if (specifier.startsWith(".")) visit(join(dirname(file), specifier))
      else packages.add(packageOf(specifier))
    }
  }
  visit(join(here, entry))
  return { files, packages }
}

describe("the fetch entry point (@tablecast/segment/fetch)", () => {
  it("reaches no node: module, so it runs on Cloudflare Workers", () => {
    const { files, packages } = reachableSpecifiers("fetch.ts")
    expect(files.size).toBeGreaterThan(5)
    expect([...packages].sort()).toEqual(["@tablecast/core", "effect", "zod"])
  })

  it("is what the Node entry point reaches, minus node: modules", () => {
    const { packages } = reachableSpecifiers("index.ts")
    expect(packages).toContain("node:http")
    expect(packages).toContain("node:zlib")
    // undici only through import() in ProxyHttpClient.ts, loaded when a proxy applies.
    expect([...packages].filter((name) => !name.startsWith("node:")).sort()).toEqual(["@tablecast/core", "effect", "undici", "zod"])
  })
})
