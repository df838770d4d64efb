// The HTML run report (@tablecast/report-html) as a user installs it: run with the folder where the
// packed tarballs were installed with npm as the current folder. Renders a run against a previous
// one from records made here, and checks the document: one bar per bin per numeric property, the
// drift line, and nothing that would load from anywhere. Exits 0, or 1 with a message.
import { createRequire } from "node:module"
import path from "node:path"
import { pathToFileURL } from "node:url"

const exitWith = (message) => {
  console.error(`library-report-html: ${message}`)
  process.exit(1)
}

const installed = createRequire(path.join(process.cwd(), "package.json"))
let report
try {
  report = await import(pathToFileURL(installed.resolve("@tablecast/report-html")).href)
} catch (error) {
  exitWith(`cannot import @tablecast/report-html from ${process.cwd()}: ${error.message}`)
}
const { renderRunReport, HISTOGRAM_BINS, HISTOGRAM_BAR_CLASS } = report

const evenly = (from, to) => Array.from({ length: 101 }, (_, index) => from + ((to - from) * index) / 100)
const numeric = (path, from, to) => ({
  kind: "numeric",
  path,
  count: 100,
  missing: 0,
  min: from,
  max: to,
  mean: (from + to) / 2,
  quantiles: evenly(from, to)
})
const record = (id, startedAt, scores) => ({
  version: 1,
  id,
  sync: "track:Churn Scored",
  kind: "incremental",
  trigger: "node",
  dryRun: false,
  source: "CSV file scores.csv",
  endpoint: "http://127.0.0.1:1/v1/batch",
  startedAt,
  endedAt: startedAt,
  durationMillis: 1000,
  outcome: "completed",
  exitCode: 0,
  counts: {
    read: 100,
    mapped: 100,
    rejected: 0,
    rejectedByReason: { source: 0, validation: 0, "batch-refused": 0, undelivered: 0 },
    skipped: 0,
    built: 100,
    accepted: 100,
    refused: 0,
    undelivered: 0
  },
  requests: { total: 1, retries: 0, throttled: 0 },
  bytesSent: 1000,
  throughput: { rowsPerSecond: 100, acceptedPerSecond: 100 },
  settings: {},
  profile: {
    properties: [numeric("properties.churn_score", ...scores), numeric("properties.ltv", 100, 400)],
    propertiesLeftOut: 0,
    timeline: [],
    rejectExamples: {}
  }
})

const html = renderRunReport({
  run: record("20261207T100000000Z-bbbbbb", "2026-12-07T10:00:00.000Z", [0.2, 0.6]),
  previous: record("20261206T100000000Z-aaaaaa", "2026-12-06T10:00:00.000Z", [0.1, 0.3])
})
if (!html.startsWith("<!doctype html>")) exitWith("the report is not an HTML document")
const bars = [...html.matchAll(new RegExp(`<g[^>]*class="${HISTOGRAM_BAR_CLASS}"[^>]*>(.*?)</g>`, "gs"))].reduce(
  (sum, [, group]) => sum + (group.match(/<rect/g) ?? []).length,
  0
)
if (bars !== 2 * HISTOGRAM_BINS) exitWith(`expected ${2 * HISTOGRAM_BINS} bars, found ${bars}`)
if (!html.includes("churn_score: median 0.2 → 0.4")) exitWith("the drift line of churn_score is missing")
if (/<script|\bsrc=|\bhref=/i.test(html)) exitWith("the report loads something")
console.log(`library-report-html: ${bars} bars, drift line, nothing loaded (${html.length} characters)`)
