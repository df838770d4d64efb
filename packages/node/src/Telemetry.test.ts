import { execFile } from "node:child_process"
import { mkdtemp, readFile, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { promisify } from "node:util"
import { decodeOtlpJson, type OtlpReceiver, otlpAttribute, startOtlpReceiver } from "@tablecast/telemetry/testing"
import { afterEach, describe, expect, it, vi } from "vitest"
import { OptionsError, plan, sync } from "./index.ts"
import { receiver, scoresFolder } from "./Sync.testkit.ts"

const WRITE_KEY = "wk_node_otel_51d0"
const OTEL_KEY = "otel-node-k3y-77a1"
const mapping = { event: "Churn Scored", customerId: "customer_id" } as const

let otlp: OtlpReceiver | undefined
afterEach(async () => {
  vi.unstubAllEnvs()
  await otlp?.close()
  otlp = undefined
})

const exportTo = async (extra: Record<string, string> = {}) => {
  otlp = await startOtlpReceiver()
  vi.stubEnv("OTEL_EXPORTER_OTLP_ENDPOINT", otlp.url)
  vi.stubEnv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json")
  for (const [name, value] of Object.entries(extra)) vi.stubEnv(name, value)
  return otlp
}

describe("sync with the OTEL_* variables set", () => {
  it("exports a run span with a child span per request and the run's metrics, with no row value or secret", async () => {
    const otlp = await exportTo({ OTEL_SERVICE_NAME: "node-scores", OTEL_EXPORTER_OTLP_HEADERS: `x-api-key=${OTEL_KEY}` })
    const sink = await receiver({ writeKeys: [WRITE_KEY] })
    const { file } = await scoresFolder(450)
    const report = await sync({
      source: { type: "csv", path: file },
      ...mapping,
      name: "churn-nightly",
      writeKey: WRITE_KEY,
      destination: { endpoint: sink.url },
      pipeline: { batchCount: 100 }
    })
    expect(report.messages.accepted).toBe(450)
    // The exporter flushed before the promise settled: everything is there now.
    const exported = decodeOtlpJson(otlp.exports)
    expect(new Set(exported.serviceNames)).toEqual(new Set(["node-scores"]))
    const runs = exported.spans.filter((span) => span.name === "tablecast.run")
    expect(runs).toHaveLength(1)
    const run = runs[0]!
    expect(otlpAttribute(run.attributes, "tablecast.run.kind")).toBe("sync")
    expect(otlpAttribute(run.attributes, "tablecast.sync.name")).toBe("churn-nightly")
    expect(otlpAttribute(run.attributes, "tablecast.rows.read")).toBe(450)
    const requests = exported.spans.filter((span) => span.name === "tablecast.request")
    expect(requests).toHaveLength(report.batches.requests)
    expect(requests.length).toBeGreaterThanOrEqual(5)
    for (const request of requests) {
      expect(request.parentSpanId).toBe(run.spanId)
      expect(otlpAttribute(request.attributes, "http.response.status_code")).toBe("200")
    }
    expect(requests.reduce((sum, span) => sum + Number(otlpAttribute(span.attributes, "tablecast.batch.messages")), 0)).toBe(450)
    expect(exported.counterTotal("tablecast.rows.read")).toBe(450)
    expect(exported.counterTotal("tablecast.messages.accepted")).toBe(450)
    expect(exported.counterTotal("tablecast.requests")).toBe(report.batches.requests)
    for (const sent of otlp.exports) expect(sent.headers["x-api-key"]).toBe(OTEL_KEY)
    const bodies = otlp.exports.map((sent) => sent.body.toString("utf8")).join("\n")
    // No write key, customer id or score: row 123 is customer c123 with score 0.123.
    for (const secretOrValue of [WRITE_KEY, OTEL_KEY, '"c123"', "0.123"]) expect(bodies).not.toContain(secretOrValue)
  })

  it("traces an incremental sync and a plan as incremental runs", async () => {
    const otlp = await exportTo()
    const sink = await receiver({ writeKeys: [WRITE_KEY] })
    const { dir, file } = await scoresFolder(120)
    const keyed = { source: { type: "csv" as const, path: file }, ...mapping, key: ["customer_id"], cwd: dir }
    const report = await sync({ ...keyed, writeKey: WRITE_KEY, destination: { endpoint: sink.url } })
    expect(report.messages.accepted).toBe(120)
    const planned = await plan(keyed)
    expect(planned.rows.unchanged).toBe(120)
    const runs = decodeOtlpJson(otlp.exports).spans.filter((span) => span.name === "tablecast.run")
    expect(runs.map((span) => otlpAttribute(span.attributes, "tablecast.run.kind"))).toEqual(["incremental", "incremental"])
    expect(runs.map((span) => otlpAttribute(span.attributes, "tablecast.rows.read"))).toEqual([120, 120])
    expect(runs.map((span) => otlpAttribute(span.attributes, "tablecast.messages.accepted"))).toEqual([120, 0])
  })

  it("rejects a variable it cannot use with an OptionsError naming it, never its value, before reading or sending", async () => {
    const otlp = await exportTo({ OTEL_EXPORTER_OTLP_HEADERS: `${OTEL_KEY}-without-equals` })
    const sink = await receiver({ writeKeys: [WRITE_KEY] })
    const { file } = await scoresFolder(10)
    const failure = await sync({
      source: { type: "csv", path: file },
      ...mapping,
      writeKey: WRITE_KEY,
      destination: { endpoint: sink.url }
    }).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(OptionsError)
    expect((failure as OptionsError).option).toBe("OTEL_EXPORTER_OTLP_HEADERS")
    expect((failure as OptionsError).message).not.toContain(OTEL_KEY)
    expect(sink.stats().requests).toBe(0)
    expect(otlp.exports).toEqual([])
  })

  it("exports nothing with OTEL_SDK_DISABLED=true", async () => {
    const otlp = await exportTo({ OTEL_SDK_DISABLED: "true" })
    const sink = await receiver({ writeKeys: [WRITE_KEY] })
    const { file } = await scoresFolder(10)
    const report = await sync({ source: { type: "csv", path: file }, ...mapping, writeKey: WRITE_KEY, destination: { endpoint: sink.url } })
    expect(report.messages.accepted).toBe(10)
    expect(otlp.exports).toEqual([])
  })
})

const here = path.dirname(fileURLToPath(import.meta.url))

/** Runs a sync in a Node process of its own and lists every module it loaded (a `registerHooks` load hook). */
const syncInOwnProcess = async (env: Record<string, string>) => {
  const folder = await mkdtemp(path.join(tmpdir(), "tablecast-node-modules-"))
  const log = path.join(folder, "loaded.txt")
  const hook = path.join(folder, "hook.mjs")
  const script = path.join(folder, "sync.mjs")
  await writeFile(log, "")
  await writeFile(
    hook,
    `import { registerHooks } from "node:module"\nimport { appendFileSync } from "node:fs"\nregisterHooks({ load(url, context, nextLoad) { appendFileSync(${JSON.stringify(log)}, url + "\\n"); return nextLoad(url, context) } })\n`
  )
  await writeFile(
    script,
    `const { sync } = await import(${JSON.stringify(pathToFileURL(path.join(here, "index.ts")).href)})\nconst report = await sync(JSON.parse(process.argv[2]))\nprocess.stdout.write(JSON.stringify(report))\n`
  )
  const sink = await receiver({ writeKeys: [WRITE_KEY] })
  const { file } = await scoresFolder(30)
  const options = { source: { type: "csv", path: file }, ...mapping, writeKey: WRITE_KEY, destination: { endpoint: sink.url } }
  // The package's sources, as the tests use them: no build needed.
  const flags = ["--experimental-transform-types", "--no-warnings", "--conditions=@tablecast/source", `--import=${pathToFileURL(hook).href}`]
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("OTEL_")))
  const { stdout } = await promisify(execFile)(process.execPath, [...flags, script, JSON.stringify(options)], { env: { ...inherited, ...env } })
  const loaded = (await readFile(log, "utf8")).split("\n").filter((line) => line !== "")
  return { report: JSON.parse(stdout) as { readonly messages: { readonly accepted: number } }, loaded }
}

/** The modules that hold the exporter: the telemetry package's entry and Effect's OTLP modules. */
const exporterModules = (loaded: ReadonlyArray<string>) =>
  loaded.filter((url) => url.endsWith("/packages/telemetry/src/index.ts") || /\/effect\/dist\/observability\/Otlp/.test(url))

describe("sync without the OTEL_* variables", () => {
  it("never loads the exporter; with them, loads it", async () => {
    const plain = await syncInOwnProcess({})
    expect(plain.report.messages.accepted).toBe(30)
    // The run did load the package and read the variables (the small settings module) ...
    expect(plain.loaded.some((url) => url.endsWith("/packages/node/src/Telemetry.ts"))).toBe(true)
    // ... and nothing of the exporter.
    expect(exporterModules(plain.loaded)).toEqual([])

    otlp = await startOtlpReceiver()
    const traced = await syncInOwnProcess({ OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url })
    expect(traced.report.messages.accepted).toBe(30)
    expect(exporterModules(traced.loaded).some((url) => url.endsWith("/packages/telemetry/src/index.ts"))).toBe(true)
    expect(exporterModules(traced.loaded).some((url) => url.includes("/observability/OtlpTracer"))).toBe(true)
    expect(new Set(otlp.exports.map((sent) => sent.path))).toEqual(new Set(["/v1/traces", "/v1/metrics"]))
    // Two Node processes that compile the sources as they load them: a loaded machine takes its time.
  }, 120_000)
})
