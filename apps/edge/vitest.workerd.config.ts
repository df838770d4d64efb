import { cloudflareTest } from "@cloudflare/vitest-plugin"
import { defineProject } from "vitest/config"

/**
 * The tests' Worker: the deployment's wrangler.jsonc, plus a token, a write key and the local sink
 * as the Segment endpoint. Queue retries wait 0 s so a dead-lettering test takes seconds.
 */
const testBindings = (sinkUrl: string) => ({
  TABLECAST_TOKEN: "edge-test-token-0123456789",
  SEGMENT_WRITE_KEY: "edge-test-write-key",
  SEGMENT_ENDPOINT: sinkUrl,
  SEGMENT_GZIP: "false",
  CHUNK_RETRY_DELAY_SECONDS: "0",
  LOG_LEVEL: "error"
})

/**
 * A test-only consumer of the dead-letter queue (a deployment has none: the DLQ keeps its
 * chunks). It copies each dead letter into a KV namespace the tests read.
 */
const deadLetterRecorder = {
  name: "dead-letter-recorder",
  modules: true,
  compatibilityDate: "2026-10-01",
  script: `export default {
    async queue(batch, env) {
      for (const message of batch.messages) {
        await env.SEEN.put(message.id, JSON.stringify(message.body))
        message.ack()
      }
    }
  }`,
  kvNamespaces: { SEEN: "dead-letters-seen" },
  queueConsumers: { "tablecast-run-chunks-dlq": { maxBatchTimeout: 1 } }
}

/** Tests that run inside workerd, with the Worker's real bindings (Queues, Durable Objects). */
export default defineProject({
  // Tests run against the workspace packages' sources, so no build is needed first.
  resolve: { conditions: ["@tablecast/source"] },
  ssr: { resolve: { conditions: ["@tablecast/source"] } },
  plugins: [
    cloudflareTest(({ inject }) => ({
      wrangler: { configPath: "./wrangler.jsonc" },
      miniflare: {
        bindings: testBindings(inject("sinkUrl")),
        kvNamespaces: { DEAD_LETTERS_SEEN: "dead-letters-seen" },
        ratelimits: {
          // Roomy for the suite; the 429 test swaps in the tight one.
          RUN_LIMITER: { namespace_id: "7301", simple: { limit: 1_000, period: 60 } },
          TIGHT_LIMITER: { namespace_id: "7302", simple: { limit: 1, period: 60 } }
        },
        workers: [deadLetterRecorder]
      }
    }))
  ],
  test: {
    name: "workerd",
    // The tests that need the Workers runtime and bindings; runtime-neutral ones run in Node.
    include: ["src/App.test.ts", "src/worker.test.ts", "src/workers/**/*.test.ts"],
    testTimeout: 30_000
  }
})
