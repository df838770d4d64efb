import { defineConfig } from "vitest/config"

// Nothing may leave the machine: no wrangler metrics, no fetch of Cloudflare's request.cf data.
process.env["WRANGLER_SEND_METRICS"] = "false"
process.env["CLOUDFLARE_CF_FETCH_ENABLED"] = "false"

export default defineConfig({
  // Tests run against the workspace packages' sources, so no build is needed first.
  resolve: { conditions: ["@tablecast/source"] },
  ssr: { resolve: { conditions: ["@tablecast/source"] } },
  // Vitest imports global setup files in its own "__vitest__" environment.
  environments: { __vitest__: { resolve: { conditions: ["@tablecast/source"] } } },
  test: {
    // One file at a time: the receiver's counts are shared by every test.
    fileParallelism: false,
    // The receiver runs in this Node process; workerd and the Node entry reach it over loopback.
    globalSetup: ["./src/testing/sinkSetup.ts", "./src/testing/otlpSetup.ts"],
    projects: [
      // Its own config file, so its Vite server (set up for workerd) is not the root's.
      "./vitest.workerd.config.ts",
      {
        extends: true,
        test: {
          name: "node",
          include: ["src/**/*.test.ts"],
          exclude: ["src/App.test.ts", "src/worker.test.ts", "src/workers/**"],
          testTimeout: 30_000
        }
      }
    ]
  }
})
