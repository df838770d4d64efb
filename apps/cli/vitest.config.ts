import { defineConfig } from "vitest/config"

export default defineConfig({
  resolve: { conditions: ["@tablecast/source"] },
  // Tests run in vitest's server-side environment, which has its own resolver settings.
  ssr: { resolve: { conditions: ["@tablecast/source"] } },
  test: { include: ["src/**/*.test.ts"], testTimeout: 60_000, hookTimeout: 60_000 }
})
