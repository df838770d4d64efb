import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const clientModule = fileURLToPath(new URL("./NodeHttpClient.ts", import.meta.url))

/** Node's own modules a fresh process has loaded once it has imported `file`. */
const builtinsLoadedBy = (file: string): Array<string> =>
  JSON.parse(
    execFileSync(
      process.execPath,
      [
        "--experimental-strip-types",
        "--no-warnings",
        "--input-type=module",
        "-e",
        `await import(${JSON.stringify(file)}); console.log(JSON.stringify(process.moduleLoadList))`
      ],
      { encoding: "utf8" }
    )
  ) as Array<string>

describe("the Node HTTP client's modules", () => {
  it("do not load undici or http2 (an import of node:http would, for 13 MiB)", () => {
    const loaded = builtinsLoadedBy(clientModule)
    expect(loaded).toContain("NativeModule http")
    expect(loaded.filter((name) => /undici|http2/.test(name))).toEqual([])
  })
})
