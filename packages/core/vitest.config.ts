import { defineConfig } from "vitest/config"

export default defineConfig({
  resolve: { conditions: ["@tablecast/source"] },
  test: {
    // Behaviour, not speed: a loaded CI machine must not turn a slow pass into a failure.
    testTimeout: 60_000,
    include: ["src/**/*.test.ts"]
  }
})
