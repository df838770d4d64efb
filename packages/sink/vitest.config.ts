import { defineConfig } from "vitest/config"

// Tests run against the workspace packages' sources (the "@tablecast/source" export condition),
// so no build is needed first. Vitest resolves test files in its server ("ssr") environment,
// which takes its conditions from `ssr.resolve`.
export default defineConfig({
  resolve: { conditions: ["@tablecast/source"] },
  ssr: { resolve: { conditions: ["@tablecast/source"] } },
  test: { include: ["src/**/*.test.ts"] }
})
