import { execFileSync } from "node:child_process"
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..")

interface Manifest {
  readonly name: string
  readonly private?: boolean
  readonly [field: string]: unknown
}

interface Workspace {
  readonly dir: string
  readonly manifest: Manifest
}

const workspaces: ReadonlyArray<Workspace> = ["packages", "apps", "tests"].flatMap((group) =>
  readdirSync(path.join(root, group))
    .map((name) => path.join(group, name))
    .filter((dir) => existsSync(path.join(root, dir, "package.json")))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(path.join(root, dir, "package.json"), "utf8")) as Manifest }))
)
const bench = { dir: "bench", manifest: JSON.parse(readFileSync(path.join(root, "bench/package.json"), "utf8")) as Manifest }
const publicPackages = workspaces.filter((workspace) => workspace.manifest.private !== true)
const repository = "https://github.com/tablecast/tablecast"

/** Packages whose public API exposes Effect types: `effect` is a peer, so the user's one copy is shared. */
const effectApiPackages = [
  "@tablecast/config",
  "@tablecast/core",
  "@tablecast/incremental",
  "@tablecast/segment",
  "@tablecast/sink",
  "@tablecast/source-bigquery",
  "@tablecast/source-csv",
  "@tablecast/source-databricks",
  "@tablecast/source-duckdb",
  "@tablecast/source-postgres",
  "@tablecast/source-snowflake",
  "@tablecast/source-sql",
  "@tablecast/state-postgres",
  "@tablecast/state-sqlite",
  "@tablecast/telemetry"
]

type Conditions = Readonly<Record<string, string>>
const exportsOf = (value: unknown): ReadonlyArray<[string, Conditions]> => Object.entries(value as Record<string, Conditions>)

describe("the workspace's packages", () => {
  it("publishes the decided packages; bench, edge, the test packages and the Snowflake test server are private", () => {
    expect(publicPackages.map((workspace) => workspace.manifest.name)).toEqual(
      expect.arrayContaining([...effectApiPackages, "@tablecast/state-file", "@tablecast/cli"])
    )
    const privateNames = [bench, ...workspaces]
      .filter((workspace) => workspace.manifest.private === true)
      .map((workspace) => workspace.manifest.name)
    expect(privateNames).toEqual(
      expect.arrayContaining([
        "@tablecast/bench",
        "@tablecast/edge",
        "@tablecast/snowflake-test-server",
        "@tablecast/databricks-test-server",
        "@tablecast/bigquery-test-server",
        "@tablecast/loopback-guard",
        "@tablecast/test-server-process"
      ])
    )
    for (const workspace of workspaces.filter((candidate) => candidate.dir.startsWith("tests/")))
      expect(workspace.manifest.private, workspace.dir).toBe(true)
  })

  it("declares Node 22.15.0 or later everywhere, the root included", () => {
    const rootManifest = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as Manifest
    for (const { dir, manifest } of [{ dir: ".", manifest: rootManifest }, bench, ...workspaces])
      expect({ dir, engines: manifest.engines }).toEqual({ dir, engines: { node: ">=22.15.0" } })
  })

  describe.each(publicPackages.map((workspace) => [workspace.manifest.name, workspace] as const))("%s", (_name, { dir, manifest }) => {
    it("has the metadata npm shows and provenance needs", () => {
      expect(manifest.license).toBe("MIT")
      expect(existsSync(path.join(root, dir, "LICENSE")), `${dir}/LICENSE`).toBe(true)
      expect(existsSync(path.join(root, dir, "README.md")), `${dir}/README.md`).toBe(true)
      expect(manifest.repository).toEqual({ type: "git", url: `git+${repository}.git`, directory: dir })
      expect(manifest.homepage).toBe(`${repository}/tree/main/${dir}#readme`)
      expect(manifest.bugs).toEqual({ url: `${repository}/issues` })
      expect(manifest.keywords).toEqual(expect.arrayContaining(["segment", "tablecast"]))
      expect(manifest.publishConfig).toMatchObject({ access: "public", provenance: true })
      expect(manifest.files).toEqual(expect.arrayContaining(["README.md", "LICENSE"]))
    })

    it("puts types first in every export, and publishes no export of the sources", () => {
      const published = (manifest.publishConfig as { exports?: unknown }).exports
      expect(published, "publishConfig.exports replaces the workspace's exports on publish").toBeDefined()
      for (const [subpath, conditions] of exportsOf(published)) {
        if (typeof conditions === "string") continue
        expect(Object.keys(conditions), subpath).not.toContain("@tablecast/source")
        if ("types" in conditions) expect(Object.keys(conditions)[0], subpath).toBe("types")
      }
      if (dir === "apps/cli") return
      for (const [subpath, conditions] of exportsOf(manifest.exports)) {
        // In the workspace the source condition comes first (it points at ./src, which is not published).
        expect(Object.keys(conditions), subpath).toEqual(["@tablecast/source", "types", "default"])
        expect(exportsOf(published).find(([candidate]) => candidate === subpath)?.[1], subpath).toEqual({
          types: conditions.types,
          default: conditions.default
        })
      }
      expect(manifest.types).toBe((manifest.exports as Record<string, Conditions>)["."]?.types)
      expect(manifest.files).toEqual(expect.arrayContaining(["dist", "!dist/**/*.map", "!dist/**/*.test.*"]))
    })

    it("takes effect as a peer when its API exposes Effect types, and never twice", () => {
      const dependencies = (manifest.dependencies ?? {}) as Record<string, string>
      const peers = (manifest.peerDependencies ?? {}) as Record<string, string>
      if (effectApiPackages.includes(manifest.name)) {
        expect(peers.effect).toMatch(/^\^4\./)
        expect(dependencies.effect).toBeUndefined()
        expect((manifest.devDependencies as Record<string, string>).effect, "the workspace still installs it").toBe(peers.effect)
      }
    })
  })

  it("the CLI depends on oclif alone; everything else is bundled, and the drivers are optional peers", () => {
    const cli = publicPackages.find((workspace) => workspace.manifest.name === "@tablecast/cli")!.manifest
    expect(Object.keys(cli.dependencies as object).every((name) => name.startsWith("@oclif/"))).toBe(true)
    expect(cli.peerDependencies).toEqual({
      "@databricks/sql": expect.any(String),
      "@duckdb/node-api": expect.any(String),
      "@google-cloud/bigquery": expect.any(String),
      pg: expect.any(String),
      "snowflake-sdk": expect.any(String)
    })
    expect(cli.peerDependenciesMeta).toEqual({
      "@databricks/sql": { optional: true },
      "@duckdb/node-api": { optional: true },
      "@google-cloud/bigquery": { optional: true },
      pg: { optional: true },
      "snowflake-sdk": { optional: true }
    })
    const dev = cli.devDependencies as Record<string, string>
    expect(Object.keys(dev)).toEqual(
      expect.arrayContaining([
        "pg",
        "snowflake-sdk",
        "@duckdb/node-api",
        "@databricks/sql",
        "@google-cloud/bigquery",
        "effect",
        "zod",
        "@tablecast/core"
      ])
    )
  })
})

describe("what a tarball holds", () => {
  it("a library's: its build, README and LICENSE, no sources, tests or maps, and exports without the source condition", () => {
    const destination = mkdtempSync(path.join(tmpdir(), "tablecast-pack-"))
    execFileSync("pnpm", ["pack", "--pack-destination", destination], { cwd: path.join(root, "packages/core"), stdio: "ignore" })
    const tarball = path.join(destination, readdirSync(destination)[0]!)
    const files = execFileSync("tar", ["tzf", tarball], { encoding: "utf8" }).trim().split("\n")
    expect(files).toEqual(
      expect.arrayContaining(["package/LICENSE", "package/README.md", "package/package.json", "package/dist/index.js", "package/dist/index.d.ts"])
    )
    expect(
      files.filter((file) => !file.startsWith("package/dist/") && !["package/LICENSE", "package/README.md", "package/package.json"].includes(file))
    ).toEqual([])
    expect(files.filter((file) => file.endsWith(".map") || file.includes(".test."))).toEqual([])
    const packed = JSON.parse(execFileSync("tar", ["xzf", tarball, "-O", "package/package.json"], { encoding: "utf8" })) as Manifest
    expect(JSON.stringify(packed.exports)).not.toContain("@tablecast/source")
    expect(JSON.stringify(packed.exports)).not.toContain("./src/")
    expect(JSON.stringify(packed.dependencies)).not.toContain("workspace:")
  })

  it("the CLI's: the bundle and bin, no source maps, no type declarations, no compiled modules beside the bundle", () => {
    const listing = JSON.parse(
      execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
        cwd: path.join(root, "apps/cli"),
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"]
      })
    ) as Array<{ files: Array<{ path: string }> }>
    const files = listing[0]!.files.map((file) => file.path)
    expect(files).toEqual(
      expect.arrayContaining([
        "bin/run.js",
        "bin/nodeGuard.js",
        "dist/tablecast.js",
        "dist/CsvReaderWorker.js",
        "LICENSE",
        "README.md",
        "package.json"
      ])
    )
    expect(files.filter((file) => file.endsWith(".map") || file.endsWith(".d.ts") || file.includes(".test."))).toEqual([])
    const distFiles = files.filter((file) => file.startsWith("dist/"))
    expect(distFiles.filter((file) => !/^dist\/(tablecast|CsvReaderWorker|chunk-[\w-]+)\.js$/.test(file))).toEqual([])
  })
})
