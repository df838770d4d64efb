import { defineConfig } from "vitest/config"

// Tests run against the workspace packages' sources (the "@tablecast/source" export condition);
// vitest's server ("ssr") environment takes them from `ssr.resolve`.
export default defineConfig({
  resolve: { conditions: ["@tablecast/source"] },
  ssr: { resolve: { conditions: ["@tablecast/source"] } },
  test: {
    include: ["src/**/*.test.ts"],
    // Loaded before any test file: keeps every socket of the test process on loopback and sets the
    // driver's switches before it can be imported.
    setupFiles: ["@tablecast/loopback-guard", "./src/DriverEnv.testkit.ts"],
    env: {
      SNOWFLAKE_DISABLE_PLATFORM_DETECTION: "true",
      SF_TELEMETRY_DISABLE_CONNECTION_SHAPE: "1",
      SNOWFLAKE_DISABLE_MINICORE: "true"
    },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    execArgv: ["--expose-gc"]
  }
})
