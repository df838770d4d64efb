import { defineConfig } from "vitest/config"

export default defineConfig({
  resolve: { conditions: ["@tablecast/source"] },
  test: { include: ["src/**/*.test.ts"], testTimeout: 60_000 }
})
