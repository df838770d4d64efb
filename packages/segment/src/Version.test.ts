import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { userAgent, version } from "./Version.ts"

describe("version", () => {
  it("is package.json's version, in the User-Agent", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
    expect(version).toBe(pkg.version)
    expect(userAgent).toBe(`tablecast/${pkg.version}`)
  })
})
