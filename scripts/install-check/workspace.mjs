// The workspace's public packages (no `"private": true`), packed as npm would publish them.
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { run, tail } from "./run.mjs"

/** Every workspace package that is not private: name, version, folder. */
export const publicPackages = async (root) => {
  const listed = await run("pnpm", ["ls", "--recursive", "--json", "--depth", "-1"], { cwd: root, env: process.env })
  if (listed.code !== 0) throw new Error(`pnpm ls failed:\n${tail(listed.stderr)}`)
  return JSON.parse(listed.stdout)
    .filter((entry) => entry.path !== root)
    .map((entry) => ({ ...entry, manifest: JSON.parse(readFileSync(join(entry.path, "package.json"), "utf8")) }))
    .filter((entry) => entry.manifest.private !== true)
    .map((entry) => ({ name: entry.name, version: entry.manifest.version, folder: entry.path }))
}

/**
 * Packs one package with `pnpm pack`, which runs its prepack script, replaces `workspace:*` ranges
 * with versions and applies `publishConfig`: the tarball `pnpm publish` would upload.
 */
export const pack = async (pkg, destination) => {
  const packed = await run("pnpm", ["pack", "--json", "--pack-destination", destination], { cwd: pkg.folder, env: process.env })
  if (packed.code !== 0) throw new Error(`pnpm pack of ${pkg.name} failed:\n${tail(packed.stdout + packed.stderr)}`)
  // prepack scripts may print before pnpm's JSON: the JSON is the last top-level object.
  const json = JSON.parse(packed.stdout.slice(packed.stdout.lastIndexOf("\n{") + 1))
  return { ...pkg, tarball: json.filename, files: json.files.length, millis: packed.millis }
}

/** The package.json inside a tarball, as npm will read it. */
export const tarballManifest = async (tarball) => {
  const read = await run("tar", ["-xzOf", tarball, "package/package.json"], { cwd: process.cwd(), env: process.env })
  if (read.code !== 0) throw new Error(`cannot read package/package.json in ${tarball}: ${tail(read.stderr)}`)
  return JSON.parse(read.stdout)
}
