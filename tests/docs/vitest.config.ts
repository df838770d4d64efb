import { defineConfig } from "vitest/config"

// The recipes run the built CLI (apps/cli/bin/run.js), a real `tablecast sink` and, for the edge
// recipe, the edge's built Node entry, each as its own process, against a real PostgreSQL. Files
// run one at a time: each creates its own database, and a 2-core machine runs one CLI at a time well.
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 60_000
  }
})
