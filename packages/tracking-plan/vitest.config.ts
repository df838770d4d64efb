import { defineConfig } from "vitest/config"

// Tests run against the workspace packages' sources (the "@tablecast/source" export condition),
// so no build is needed first. Vitest resolves test files in its server ("ssr") environment,
// which takes its conditions from `ssr.resolve`.
export default defineConfig({
  resolve: { conditions: ["@tablecast/source"] },
  ssr: { resolve: { conditions: ["@tablecast/source"] } },
  test: {
    // Behaviour, not speed: a loaded CI machine must not turn a slow pass into a failure.
    testTimeout: 60_000,
    include: ["src/**/*.test.ts"]
  }
})
