import { existsSync } from "node:fs"
import { createServer, request as httpRequest } from "node:http"
import type { AddressInfo } from "node:net"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { unstable_startWorker } from "wrangler"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type BodyFormat, EDGE_TOKEN, runEdgeCase } from "./support/EdgeCase.ts"
import { generateCases, hostileRuns, hostileSeed } from "./support/HostileTable.ts"
import { LostAnswer, WRITE_KEY } from "./support/Receiver.ts"
import { formatViolations, Tally } from "./support/Tally.ts"

// A few generated tables through the edge's Worker in workerd: the bundle `pnpm build` makes
// (apps/edge/.wrangler/dry-run/worker.js, `wrangler deploy --dry-run`) with the deployment's
// wrangler.jsonc, started once with wrangler's unstable_startWorker. Its Segment endpoint is a
// relay on loopback that forwards to the current case's receiver.

const WorkerdMinimum = { cases: 4 } as const

const edgeDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../apps/edge")
const seed = hostileSeed() + 200_000
const cases = generateCases(seed, WorkerdMinimum.cases * hostileRuns(), {
  maxRows: 25,
  bigFields: 0,
  focuses: ["deep-json", "identical-rows", "invalid-utf8", "refused-batches", "mixed-types", "control-headers"]
})
const tally = new Tally("edge in workerd (CSV and JSON bodies)")
tally.generated(cases)

/** Forwards every request to `target` (the current case's receiver). */
let target = ""
const relay = createServer((incoming, outgoing) => {
  const url = new URL(target)
  const forward = httpRequest(
    { host: url.hostname, port: url.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
    (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(outgoing)
    }
  )
  forward.on("error", () => outgoing.destroy())
  outgoing.on("close", () => forward.destroy())
  incoming.pipe(forward)
})
let worker: Awaited<ReturnType<typeof unstable_startWorker>>

beforeAll(async () => {
  if (!existsSync(path.join(edgeDir, ".wrangler/dry-run/worker.js"))) {
    throw new Error(
      "apps/edge/.wrangler/dry-run/worker.js is missing: build first (npx -y pnpm@12.4.2 exec turbo run build --filter=@tablecast/hostile-tests...)"
    )
  }
  await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve))
  const plain = (value: string) => ({ type: "plain_text" as const, value })
  worker = await unstable_startWorker({
    config: path.join(edgeDir, "wrangler.jsonc"),
    entrypoint: path.join(edgeDir, ".wrangler/dry-run/worker.js"),
    build: { bundle: false },
    bindings: {
      TABLECAST_TOKEN: plain(EDGE_TOKEN),
      SEGMENT_WRITE_KEY: plain(WRITE_KEY),
      SEGMENT_ENDPOINT: plain(`http://127.0.0.1:${(relay.address() as AddressInfo).port}`),
      SEGMENT_GZIP: plain("false"),
      SEGMENT_TIMEOUT_MILLIS: plain(String(LostAnswer.clientTimeoutMillis)),
      LOG_LEVEL: plain("silent")
    },
    dev: { server: { hostname: "127.0.0.1", port: 0 }, inspector: false, watch: false, persist: false, logLevel: "none" }
  })
  await worker.ready
}, 120_000)

afterAll(async () => {
  await worker?.dispose()
  relay.closeAllConnections()
  await new Promise((resolve) => relay.close(resolve))
  console.log(tally.render(seed))
  tally.save(seed)
})

const startEdge = async (env: Record<string, string>) => {
  // The Worker keeps its bindings; only the relay's target changes per case.
  target = env.SEGMENT_ENDPOINT!
  return {
    url: "http://edge.test",
    fetch: async (request: Request) =>
      (await worker.fetch(request.url, {
        method: request.method,
        headers: Object.fromEntries(request.headers),
        body: new Uint8Array(await request.arrayBuffer())
      })) as unknown as Response,
    close: async () => {}
  }
}

describe("hostile input through the edge in workerd", () => {
  it(`generates at least ${WorkerdMinimum.cases} cases`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(WorkerdMinimum.cases)
  })

  for (const hostile of cases) {
    for (const format of ["csv", "json"] as const satisfies ReadonlyArray<BodyFormat>) {
      it(`case ${hostile.id} as ${format}: ${hostile.rows.length} rows; ${[...hostile.hazards].join(", ") || "no hazard"}`, async () => {
        const violations = await runEdgeCase(hostile, format, startEdge)
        tally.record(hostile, `workerd ${format}`, violations)
        if (violations.length > 0) expect.fail(formatViolations(`edge in workerd, ${format} body`, hostile, violations))
      })
    }
  }
})
