import { cloudflareTest } from "@cloudflare/vitest-plugin"
import { defineConfig } from "vitest/config"

// Nothing may leave the machine: no wrangler metrics, no fetch of Cloudflare's request.cf data.
process.env["WRANGLER_SEND_METRICS"] = "false"
process.env["CLOUDFLARE_CF_FETCH_ENABLED"] = "false"

/** Bindings of the tests' Worker: a token, a write key and the local sink as the Segment endpoint. */
const testBindings = (sinkUrl: string) => ({
  TABLECAST_TOKEN: "edge-test-token-0123456789",
  SEGMENT_WRITE_KEY: "edge-test-write-key",
  SEGMENT_ENDPOINT: sinkUrl,
  SEGMENT_GZIP: "false",
  CHUNK_RETRY_DELAY_SECONDS: "0",
  LOG_LEVEL: "warn"
})

export default defineConfig({
  // Tests run against the workspace packages' sources, so no build is needed first.
  resolve: { conditions: ["@tablecast/source"] },
  ssr: { resolve: { conditions: ["@tablecast/source"] } },
  test: {
    // One file at a time: the receiver's counts are shared by every test.
    fileParallelism: false,
    // The receiver runs in this Node process; workerd reaches it over loopback.
    globalSetup: ["./test/sinkSetup.ts"],
    projects: [
      {
        extends: true,
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: "./wrangler.jsonc" },
            miniflare: { bindings: testBindings(inject("sinkUrl")) }
          }))
        ],
        test: {
          name: "workerd",
          include: ["src/**/*.test.ts"],
          exclude: ["src/node.test.ts"]
        }
      },
      {
        extends: true,
        test: {
          name: "node",
          include: ["src/node.test.ts"]
        }
      }
    ]
  }
})
