import { defineConfig } from "vitest/config"

// The suite spawns the built CLI (apps/cli/bin/run.js) and runs the receiver in-process from the
// workspace sources. Files run one at a time: each one already runs a CLI process and a receiver
// on a 2-core machine, and the few time-based assertions (a Retry-After pause) need the CPU.
export default defineConfig({
  resolve: { conditions: ["@tablecast/source"] },
  ssr: { resolve: { conditions: ["@tablecast/source"] } },
  test: {
    include: ["src/**/*.test.ts"],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 30_000
  }
})
