import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { type CliProcess, runCli, startCli } from "@tablecast/faults-tests/support/Cli"
import { waitFor } from "@tablecast/faults-tests/support/Wait"
import { formatValue, HISTOGRAM_BAR_CLASS, HISTOGRAM_BINS } from "@tablecast/report-html"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { pixelsUnlikeBackground, startBrowser } from "./support/Browser.ts"

// The HTML report of a keyed incremental sync's second run, as a user gets it: two runs of the
// built CLI against `tablecast sink` (the built CLI too), then the file opened from disk in Chromium.

/** Where the screenshot goes (the docs' picture is taken from it: docs/operations/report.md). */
const SCREENSHOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../screenshots/run-report.png")
const WRITE_KEY = "report-test-key"
const CUSTOMERS = 1_501

/** A seeded pseudo-random series: the same tables on every run. */
const seeded = (seed: number) => {
  let state = seed >>> 0
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0
    return state / 0x100000000
  }
}

interface Customer {
  readonly churn_score: number
  readonly ltv: number
  readonly plan: string
}

// Values with two significant digits and a first digit of 1 to 4: the report shows a median to two
// digits from a sketch accurate to 1%, and a value like these stays the same figure within 1%.
const firstDay = (): Map<number, Customer> => {
  const random = seeded(18)
  return new Map(
    Array.from({ length: CUSTOMERS }, (_, index) => [
      index + 1,
      {
        churn_score: (10 + Math.floor(random() * 20)) / 100,
        ltv: (10 + Math.floor(random() * 40)) * 10,
        plan: ["free", "pro", "team"][Math.floor(random() * 3)]!
      }
    ])
  )
}

/** The next day: two customers in five score higher, move to the free plan, spend more. */
const secondDay = (before: Map<number, Customer>): Map<number, Customer> => {
  const random = seeded(19)
  return new Map(
    [...before].map(([id, customer]) =>
      id % 5 < 2
        ? [id, { churn_score: (30 + Math.floor(random() * 20)) / 100, ltv: (25 + Math.floor(random() * 25)) * 10, plan: "free" }]
        : [id, customer]
    )
  )
}

const csvOf = (table: Map<number, Customer>) =>
  `customer_id,churn_score,ltv,plan\n${[...table].map(([id, customer]) => `c${id},${customer.churn_score},${customer.ltv},${customer.plan}`).join("\n")}\n`

/** The columns whose every value is a number: the report draws a histogram for each. */
const numericColumns = (table: Map<number, Customer>): ReadonlyArray<keyof Customer> =>
  (["churn_score", "ltv", "plan"] as const).filter((column) => [...table.values()].every((customer) => typeof customer[column] === "number"))

const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

interface Delivered {
  readonly properties: Record<string, unknown>
}

const deliveredIn = async (file: string): Promise<ReadonlyArray<Delivered>> =>
  (await readFile(file, "utf8"))
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Delivered)

describe("the HTML report of a keyed incremental sync, opened from disk in Chromium", () => {
  let workdir = ""
  let sink: CliProcess | undefined
  const received = { first: [] as ReadonlyArray<Delivered>, second: [] as ReadonlyArray<Delivered> }
  let numeric: ReadonlyArray<keyof Customer> = []

  beforeAll(async () => {
    workdir = await mkdtemp(path.join(tmpdir(), "tablecast-report-"))
    const out = path.join(workdir, "received.jsonl")
    const receiver = startCli(["sink", "--port", "0", "--out", out, "--write-key", WRITE_KEY], { cwd: workdir, timeoutMillis: 170_000 })
    sink = receiver
    let url = ""
    await waitFor("tablecast sink to listen", () => {
      url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(receiver.output().stderr)?.[1] ?? ""
      return url !== ""
    })
    const day1 = firstDay()
    const day2 = secondDay(day1)
    numeric = numericColumns(day1)
    const sync = (csv: string, report: string) =>
      runCli(
        [
          "sync",
          "-f",
          csv,
          "-e",
          "Churn Scored",
          "-u",
          "customer_id",
          "--key",
          "customer_id",
          "--endpoint",
          url,
          "--progress",
          "none",
          // Small batches: many requests, so the timeline has points.
          "--batch-count",
          "25",
          "--report-html",
          report
        ],
        { cwd: workdir, env: { SEGMENT_WRITE_KEY: WRITE_KEY } }
      )
    await writeFile(path.join(workdir, "day1.csv"), csvOf(day1))
    const first = await sync("day1.csv", "day1.html")
    expect(first.code, first.stderr).toBe(0)
    received.first = await deliveredIn(out)
    // The second run meets slow answers and a few 429s: its timeline has throughput, requests in flight and retries to show.
    const faults = await fetch(`${url}/faults`, {
      method: "POST",
      body: JSON.stringify({ delayMillis: 30, throttleShare: 0.1, retryAfterSeconds: 0 })
    })
    expect(faults.status).toBe(200)
    await writeFile(path.join(workdir, "day2.csv"), csvOf(day2))
    const second = await sync("day2.csv", "reports/day2.html")
    expect(second.code, second.stderr).toBe(0)
    received.second = (await deliveredIn(out)).slice(received.first.length)
    // The second run sends only the customers whose values changed.
    expect(received.first.length).toBe(CUSTOMERS)
    expect(received.second.length).toBe([...day2].filter(([id, customer]) => customer !== day1.get(id)).length)
  })

  afterAll(async () => {
    sink?.kill("SIGTERM")
    await sink?.exited
    if (process.env.TABLECAST_KEEP_WORKDIRS === undefined && workdir !== "") await rm(workdir, { recursive: true, force: true })
  })

  it("shows one bar per bin per numeric property, the drift the two runs' data give, with no request and no console error", async () => {
    const { browser, close } = await startBrowser()
    try {
      const page = await browser.newPage()
      const reportUrl = pathToFileURL(path.join(workdir, "reports/day2.html")).href
      const requests: Array<string> = []
      const consoleErrors: Array<string> = []
      page.on("request", (request) => requests.push(request.url()))
      page.on("console", (message) => {
        if (message.type() === "error" || message.type() === "warn") consoleErrors.push(message.text())
      })
      page.on("pageerror", (error) => consoleErrors.push(String(error)))
      await page.setViewport({ width: 1100, height: 900 })
      await page.goto(reportUrl, { waitUntil: "load" })

      // Only the report itself was loaded: no style sheet, font, script or image from anywhere.
      expect(requests).toEqual([reportUrl])
      expect(consoleErrors).toEqual([])

      const bars = await page.$$eval(`svg g.${HISTOGRAM_BAR_CLASS} rect`, (rects) => rects.length)
      expect(numeric.length).toBe(2)
      expect(bars).toBe(HISTOGRAM_BINS * numeric.length)

      const drift = await page.$$eval("p.drift", (lines) =>
        Object.fromEntries(lines.map((line) => [line.getAttribute("data-path"), line.textContent]))
      )
      for (const column of numeric) {
        const before = median(received.first.map((message) => Number(message.properties[column])))
        const after = median(received.second.map((message) => Number(message.properties[column])))
        expect(before).not.toBe(after)
        expect(drift[`properties.${column}`]).toBe(`${column}: median ${formatValue(before)} → ${formatValue(after)}`)
      }

      await mkdir(path.dirname(SCREENSHOT), { recursive: true })
      const png = await page.screenshot({ path: SCREENSHOT, fullPage: true, type: "png" })
      expect((await readFile(SCREENSHOT)).length).toBe(png.length)
      // Not blank: far more than a few pixels differ from the background (text, bars, lines).
      expect(await pixelsUnlikeBackground(browser, png)).toBeGreaterThan(20_000)
    } finally {
      await close()
    }
  })
})
