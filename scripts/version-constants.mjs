// Part of `pnpm version-packages` (after `changeset version`): the packages that cannot read their
// package.json at run time (core and segment run on Workers too, the edge is bundled) keep their
// version as a constant in src/Version.ts, sent with every message and request. This writes each
// package's new version there, so a release never sends an old version number.
// `--check` changes nothing and exits 1 if a constant differs from its package.json.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))
const constant = /export const (VERSION|version) = "([^"]*)"/
const checkOnly = process.argv.includes("--check")
let mismatches = 0

for (const parent of ["packages", "apps"]) {
  for (const name of readdirSync(join(root, parent))) {
    const file = join(root, parent, name, "src", "Version.ts")
    if (!existsSync(file)) continue
    const text = readFileSync(file, "utf8")
    const found = constant.exec(text)
    if (found === null) continue
    const { name: pkgName, version } = JSON.parse(readFileSync(join(root, parent, name, "package.json"), "utf8"))
    if (found[2] === version) continue
    if (checkOnly) {
      mismatches += 1
      console.error(`${parent}/${name}/src/Version.ts says ${found[2]}, ${pkgName} is ${version}`)
    } else {
      writeFileSync(file, text.replace(constant, `export const ${found[1]} = "${version}"`))
      console.log(`${parent}/${name}/src/Version.ts: ${found[2]} -> ${version}`)
    }
  }
}
process.exitCode = mismatches === 0 ? 0 : 1
