import { defineConfig } from "vitest/config"

// Tests run against the workspace packages' sources (the "@tablecast/source" export condition);
// vitest's server ("ssr") environment takes them from `ssr.resolve`.
export default defineConfig({
  resolve: { conditions: ["@tablecast/source"] },
  ssr: { resolve: { conditions: ["@tablecast/source"] } },
  test: {
    include: ["src/**/*.test.ts"],
    // Loaded before any test file: keeps every socket of the test process on loopback.
    setupFiles: ["@tablecast/loopback-guard"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false
  }
})
