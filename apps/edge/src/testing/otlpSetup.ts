import { startOtlpReceiver } from "@tablecast/telemetry/testing"
import type { TestProject } from "vitest/node"

declare module "vitest" {
  export interface ProvidedContext {
    /** A loopback OTLP/HTTP receiver: GET /received lists what it took, DELETE /received forgets it. */
    otlpUrl: string
  }
}

/** Starts the OTLP receiver the telemetry tests export to, in the Node side of the test run. */
export default async function setup(project: TestProject) {
  const receiver = await startOtlpReceiver()
  project.provide("otlpUrl", receiver.url)
  return () => receiver.close()
}
