import { defineConfig } from "vitest/config"

export default defineConfig({
  resolve: { conditions: ["@tablecast/source"] },
  ssr: { resolve: { conditions: ["@tablecast/source"] } },
  test: { include: ["src/**/*.test.ts"] }
})
