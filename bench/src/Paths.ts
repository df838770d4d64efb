import path from "node:path"
import { fileURLToPath } from "node:url"

/** The bench package's folder (this file is in its `src/` or, built, its `dist/`). */
export const benchRoot = fileURLToPath(new URL("..", import.meta.url))
export const repoRoot = path.resolve(benchRoot, "..")
/** Built entry points: measured processes always run compiled JavaScript, as users would. */
export const builtEntry = (name: string): string => path.join(benchRoot, "dist", name)
/** Generated inputs; git-ignored. */
export const dataDir = path.join(benchRoot, ".data")
export const cliEntry = path.join(repoRoot, "apps", "cli", "bin", "run.js")
/** The tracking plan written for the benchmark's table (`default+plan`): every column typed, bounded or enumerated. */
export const benchTrackingPlan = path.join(benchRoot, "tracking-plan.json")
