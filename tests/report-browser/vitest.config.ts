import { defineConfig } from "vitest/config"

// The suite spawns the built CLI (apps/cli/bin/run.js) and a Chromium, and runs the receiver
// in-process from the workspace sources.
export default defineConfig({
  resolve: { conditions: ["@tablecast/source"] },
  ssr: { resolve: { conditions: ["@tablecast/source"] } },
  test: {
    include: ["src/**/*.test.ts"],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 60_000
  }
})
