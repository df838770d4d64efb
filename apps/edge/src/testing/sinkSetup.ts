import { startSink } from "@tablecast/sink"
import type { TestProject } from "vitest/node"
import { startRowsServer } from "./rowsServer.ts"
import { startWebhookReceiver } from "./webhookReceiver.ts"

declare module "vitest" {
  export interface ProvidedContext {
    sinkUrl: string
    /** A loopback server of row documents, the URLs of scheduled runs. */
    rowsUrl: string
    /** A loopback webhook receiver of alerts, and a webhook address that is down. */
    webhookUrl: string
    webhookDownUrl: string
  }
}

/** The write keys the test sink accepts; any other key gets 401, as Segment answers. */
export const TestWriteKeys = ["edge-test-write-key", "edge-header-write-key"] as const

/**
 * Starts a local Segment-compatible receiver in the Node side of the test run; workerd reaches it
 * over loopback. One per test project, so projects never read each other's counts.
 */
export default async function setup(project: TestProject) {
  // The last messages stay readable at GET /messages: workerd tests check what arrived there.
  const sink = await startSink({ host: "127.0.0.1", port: 0, writeKeys: [...TestWriteKeys], keepMessages: 20_000 })
  const rowsServer = await startRowsServer()
  project.provide("sinkUrl", sink.url)
  const webhooks = await startWebhookReceiver()
  project.provide("rowsUrl", rowsServer.url)
  project.provide("webhookUrl", webhooks.url)
  project.provide("webhookDownUrl", webhooks.downUrl)
  return async () => {
    await sink.close()
    await rowsServer.close()
    await webhooks.close()
  }
}
