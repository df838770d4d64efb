#!/usr/bin/env bash
# The release, rehearsed (docs/releasing.md): what the release workflow would do, minus the upload.
# In a scratch clone of HEAD: `pnpm version-packages` (changeset version, then the version constants)
# must move every package with pending changesets off its version and give it a CHANGELOG.md,
# leave the private packages alone, and keep the version constants equal to package.json; then
# every public package is built, packed and given to `npm publish --dry-run`. Prints the versions a
# release would publish. Nothing is uploaded: --dry-run, and no credentials (an empty user config).
# --provenance=false overrides the packages' publishConfig.provenance: on a GitHub Actions runner
# npm would ask for the run's OIDC token to sign a provenance statement, which the CI job is not
# given (only the release job has id-token: write), and a dry run has nothing to sign.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export TURBO_TELEMETRY_DISABLED=1 CI=true
started=$SECONDS

scratch="$(mktemp -d -t tablecast-release-dry-run.XXXXXX)"
trap 'rm -rf "$scratch"' EXIT
clone="$scratch/repo"
git clone --quiet --no-hardlinks "$root" "$clone"
cd "$clone"
# changesets compares with the base branch "main": here it is HEAD itself.
git checkout --quiet --detach
git branch --force main HEAD
# Prints a step's log and stops when it fails; stays quiet when it works.
quietly() {
  if ! "$@" >"$scratch/step.log" 2>&1; then
    tail -n 40 "$scratch/step.log"
    echo "release-dry-run: failed: $*"
    exit 1
  fi
}
if ! npx -y pnpm@12.4.2 install --offline >"$scratch/step.log" 2>&1; then quietly npx -y pnpm@12.4.2 install; fi

quietly npx -y pnpm@12.4.2 exec changeset status --output "$scratch/status.json"
quietly npx -y pnpm@12.4.2 run version-packages

# Every release planned moved its version and wrote its changelog; private packages did not move.
npx -y pnpm@12.4.2 exec node --input-type=module - "$scratch/status.json" <<'NODE'
import { existsSync, readFileSync } from "node:fs"
import { execFileSync } from "node:child_process"
const { releases } = JSON.parse(readFileSync(process.argv[2], "utf8"))
const packages = JSON.parse(execFileSync("pnpm", ["ls", "--recursive", "--json", "--depth", "-1"], { encoding: "utf8" }))
const problems = []
const moved = []
const planned = releases.filter((release) => release.type !== "none")
if (planned.length === 0) problems.push("no pending changeset plans a release")
for (const pkg of packages.filter((entry) => entry.name !== "tablecast-monorepo")) {
  const manifest = JSON.parse(readFileSync(`${pkg.path}/package.json`, "utf8"))
  const release = planned.find((entry) => entry.name === pkg.name)
  const changelog = `${pkg.path}/CHANGELOG.md`
  if (manifest.private === true) {
    if (release !== undefined) problems.push(`${pkg.name} is private but would be released`)
    continue
  }
  if (release === undefined) continue
  if (manifest.version === release.oldVersion) problems.push(`${pkg.name} stayed at ${manifest.version}`)
  if (manifest.version !== release.newVersion) problems.push(`${pkg.name} is ${manifest.version}, the plan said ${release.newVersion}`)
  if (!existsSync(changelog) || !readFileSync(changelog, "utf8").includes(`## ${manifest.version}`)) {
    problems.push(`${pkg.name}: no CHANGELOG.md section for ${manifest.version}`)
  }
  moved.push(`${pkg.name} ${release.oldVersion} -> ${manifest.version}`)
}
console.log(`release-dry-run: changeset version: ${moved.join(", ")}`)
if (problems.length > 0) {
  console.error(`release-dry-run: ${problems.join("\n  ")}`)
  process.exit(1)
}
NODE
node scripts/version-constants.mjs --check
# A changeset left behind (one naming only private packages, which are not versioned) would keep
# changesets/action opening version pull requests and never publishing.
left="$(find .changeset -name '*.md' ! -name README.md)"
if [ -n "$left" ]; then
  echo "release-dry-run: changesets left after changeset version (they name only private packages):"
  echo "$left"
  exit 1
fi

quietly npx -y pnpm@12.4.2 run build --output-logs=errors-only
mkdir "$scratch/tarballs"
touch "$scratch/empty-npmrc"
npx -y pnpm@12.4.2 ls --recursive --json --depth -1 |
  npx -y pnpm@12.4.2 exec node -e 'for (const p of JSON.parse(require("fs").readFileSync(0, "utf8"))) if (p.private === false) console.log(p.path)' |
  while read -r folder; do
    quietly npx -y pnpm@12.4.2 --dir "$folder" pack --pack-destination "$scratch/tarballs"
  done

published=()
for tarball in "$scratch"/tarballs/*.tgz; do
  if tar -xzOf "$tarball" package/package.json | grep -q '"workspace:'; then
    echo "release-dry-run: $(basename "$tarball") still has a workspace: range in its package.json"
    exit 1
  fi
  # Registry reads only (npm checks the name and version); no token, so nothing could be written.
  if ! npm publish --dry-run --provenance=false --userconfig "$scratch/empty-npmrc" "$tarball" >"$scratch/publish.log" 2>&1; then
    cat "$scratch/publish.log"
    echo "release-dry-run: npm publish --dry-run of $(basename "$tarball") failed"
    exit 1
  fi
  published+=("$(grep -m1 -o '+ @tablecast/[^ ]*' "$scratch/publish.log" | cut -c3-)")
done
echo "release-dry-run: npm publish --dry-run would publish ${published[*]}"
echo "release-dry-run: ok in $((SECONDS - started)) s"
