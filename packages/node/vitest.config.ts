import { defineConfig } from "vitest/config"

// Tests run against the workspace packages' sources (the "@tablecast/source" export condition),
// so no build is needed first; vitest's server ("ssr") environment takes them from `ssr.resolve`.
export default defineConfig({
  resolve: { conditions: ["@tablecast/source"] },
  ssr: { resolve: { conditions: ["@tablecast/source"] } },
  test: {
    include: ["src/**/*.test.ts"]
  }
})
