import { defineConfig } from "vitest/config"

// Nothing may leave the machine: no wrangler metrics, no fetch of Cloudflare's request.cf data.
process.env["WRANGLER_SEND_METRICS"] = "false"
process.env["CLOUDFLARE_CF_FETCH_ENABLED"] = "false"
process.env["WRANGLER_HIDE_BANNER"] = "true"

// The suite spawns the built CLI (apps/cli/bin/run.js), runs the edge's Node entry and the receiver
// in-process from the workspace sources, and the edge's built Worker in workerd (Miniflare). Files
// run one at a time: each one already keeps the 2-core machine busy.
export default defineConfig({
  resolve: { conditions: ["@tablecast/source"] },
  ssr: { resolve: { conditions: ["@tablecast/source"] } },
  test: {
    include: ["src/**/*.test.ts"],
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 60_000,
    // Three cases at a time: a case waits on backoffs and late answers more than it computes.
    maxConcurrency: 3
  }
})
