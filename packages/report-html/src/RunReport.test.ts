import { parseHTML } from "linkedom"
import { describe, expect, it } from "vitest"
import { HISTOGRAM_BAR_CLASS, HISTOGRAM_PREVIOUS_CLASS } from "./Charts.ts"
import { HISTOGRAM_BINS } from "./Distribution.ts"
import { formatValue } from "./Figures.ts"
import { renderRunReport } from "./RunReport.ts"
import { categoricalProfile, numericProfile, runRecord, seeded, timeline } from "./test/Fixtures.ts"

const values = (seed: number, count: number, scale: number) => {
  const random = seeded(seed)
  return Array.from({ length: count }, () => random() * scale)
}

const previousScores = values(1, 3000, 0.5)
const currentScores = values(2, 3000, 0.8)
const previous = runRecord({
  id: "20261206T100000000Z-aaaaaa",
  startedAt: "2026-12-06T10:00:00.000Z",
  profile: {
    properties: [numericProfile("properties.churn_score", previousScores), categoricalProfile("properties.plan", ["pro", "pro", "free"])],
    propertiesLeftOut: 0,
    timeline: timeline(10),
    rejectExamples: {},
    movement: [{ column: "churn_score", compared: 100, threshold: 0.05, moved: 10 }]
  }
})
const run = runRecord({
  id: "20261207T100000000Z-bbbbbb",
  startedAt: "2026-12-07T10:00:00.000Z",
  rejected: 7,
  profile: {
    properties: [
      numericProfile("properties.churn_score", currentScores),
      numericProfile("properties.ltv", values(3, 3000, 900)),
      categoricalProfile("properties.plan", ["free", "free", "<script>alert(1)</script>"])
    ],
    propertiesLeftOut: 2,
    propertySample: { messages: 30_000, profiled: 10_000 },
    timeline: timeline(40),
    rejectExamples: { validation: [3, 17, 40] },
    movement: [{ column: "churn_score", compared: 2900, threshold: 0.05, moved: 1450 }]
  }
})

const documentOf = (text: string) => parseHTML(text).document

describe("a run's HTML report", () => {
  it("draws one bar per bin for each numeric property, and the previous run's outline where it had the property", () => {
    const document = documentOf(renderRunReport({ run, previous }))
    const histograms = document.querySelectorAll("article.numeric")
    expect(histograms.length).toBe(2)
    expect(document.querySelectorAll(`g.${HISTOGRAM_BAR_CLASS} rect`).length).toBe(HISTOGRAM_BINS * 2)
    expect(document.querySelectorAll(`g.${HISTOGRAM_PREVIOUS_CLASS} path`).length).toBe(1)
  })

  it("says how each property moved, from the two runs' figures, and calls out the ones that moved", () => {
    const document = documentOf(renderRunReport({ run, previous }))
    const drift = document.querySelector('p.drift[data-path="properties.churn_score"]')
    const exact = (list: ReadonlyArray<number>) => {
      const sorted = [...list].sort((a, b) => a - b)
      return (sorted[1499]! + sorted[1500]!) / 2
    }
    expect(drift?.textContent).toBe(`churn_score: median ${formatValue(exact(previousScores))} → ${formatValue(exact(currentScores))}`)
    expect(drift?.getAttribute("class")).toContain("called-out")
    expect([...document.querySelectorAll("#moved li")].map((item) => item.textContent)).toContain(drift?.textContent)
    // A property the previous run did not have gets no drift line.
    expect(document.querySelector('p.drift[data-path="properties.ltv"]')).toBeNull()
  })

  it("shows rejects by reason with their example rows, the timeline, and the customers' movement", () => {
    const document = documentOf(renderRunReport({ run, previous }))
    const reject = document.querySelector('tr.reject[data-stage="validation"]')
    expect(reject?.querySelector(".examples")?.textContent).toBe("3, 17, 40")
    expect(document.querySelectorAll("#timeline svg").length).toBe(3)
    // Two lines a chart: rows read and accepted per second; in flight and queued; retries and 429s.
    for (const name of ["timeline-throughput", "timeline-in-flight", "timeline-retries"])
      expect(document.querySelectorAll(`g.${name} path`).length, name).toBe(2)
    expect(document.querySelector('tr.movement[data-column="churn_score"]')?.textContent).toContain("50%")
    expect(document.querySelector("p.sample")?.textContent).toContain("10,000 of 30,000 messages")
  })

  it("keeps a value from the table as text, never as markup", () => {
    const text = renderRunReport({ run, previous })
    expect(text).not.toContain("<script>")
    expect(text).toContain("&lt;script&gt;alert(1)&lt;/script&gt;")
  })

  it("loads nothing: no script, no link, no source or address to fetch, and a policy that forbids requests", () => {
    const text = renderRunReport({ run, previous })
    const document = documentOf(text)
    expect(document.querySelectorAll("script, link, img, iframe, object, embed").length).toBe(0)
    expect(text).not.toMatch(/\b(src|href)\s*=/i)
    expect(text).not.toMatch(/url\(/i)
    expect(document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute("content")).toContain("default-src 'none'")
  })

  it("shows a first run without a comparison, and a run without a profile by its summary", () => {
    const first = documentOf(renderRunReport({ run }))
    expect(first.querySelector("#moved")).toBeNull()
    expect(first.querySelectorAll("p.drift").length).toBe(0)
    expect(first.querySelectorAll(`g.${HISTOGRAM_BAR_CLASS} rect`).length).toBe(HISTOGRAM_BINS * 2)
    const bare = documentOf(renderRunReport({ run: runRecord({ id: "x", startedAt: "2026-12-07T10:00:00.000Z" }) }))
    expect(bare.querySelector("#summary")).not.toBeNull()
    expect(bare.querySelector("#no-profile")).not.toBeNull()
    expect(bare.querySelectorAll("svg").length).toBe(0)
  })

  it("counts the messages of each call type in the summary, for a sync of more than one", () => {
    const rowOf = (document: ReturnType<typeof documentOf>, label: string) =>
      [...document.querySelectorAll("#summary tbody tr")].find((row) => row.querySelector("th")?.textContent === label)
    const record = runRecord({ id: "y", startedAt: "2026-12-07T10:00:00.000Z" })
    const both = { ...record, counts: { ...record.counts, built: 2400, calls: { identify: 1200, group: 1200, track: 0 } } }
    const earlier = { ...record, id: "x", counts: { ...record.counts, calls: { identify: 0, group: 0, track: 4000 } } }
    const row = rowOf(documentOf(renderRunReport({ run: both, previous: earlier })), "Messages by call")
    expect([...row!.querySelectorAll("td")].map((cell) => cell.textContent)).toEqual(["1,200 identify, 1,200 group", "–"])
    // A sync of one call type, or a record from before the counts: no such row.
    expect(rowOf(documentOf(renderRunReport({ run: earlier })), "Messages by call")).toBeUndefined()
    expect(rowOf(documentOf(renderRunReport({ run: record })), "Messages by call")).toBeUndefined()
  })

  it("says what the tracking plan found: rows rejected or warned (and the warnings file), by rule and by property", () => {
    const record = runRecord({ id: "z", startedAt: "2026-12-07T10:00:00.000Z" })
    const found = {
      plan: "plan.json",
      messagesChecked: 3000,
      violations: 5,
      rowsWithViolations: 4,
      unplannedMessages: 2,
      unplannedEvents: ["Other Event"],
      byRule: { 'TRACK "Churn Scored" v1': 5 },
      byProperty: { 'properties.churn_score (TRACK "Churn Scored" v1)': 3, 'properties.segment (TRACK "Churn Scored" v1)': 2 }
    }
    const warned = documentOf(
      renderRunReport({ run: { ...record, trackingPlan: { ...found, mode: "warn", warningsFile: "out/rejects.warnings.jsonl" } } })
    )
    const text = warned.querySelector("#tracking-plan p")?.textContent ?? ""
    expect(text).toContain("3,000 messages checked, 5 violations; 4 rows sent with warnings, every one written to out/rejects.warnings.jsonl")
    expect(text).toContain("2 messages of events the plan does not name (Other Event)")
    const properties = [...warned.querySelectorAll("#tracking-plan table")[1]!.querySelectorAll("tbody tr")].map((row) => row.textContent)
    expect(properties).toEqual(['properties.churn_score (TRACK "Churn Scored" v1)3', 'properties.segment (TRACK "Churn Scored" v1)2'])
    const rejected = documentOf(renderRunReport({ run: { ...record, trackingPlan: { ...found, mode: "reject" } } }))
    expect(rejected.querySelector("#tracking-plan p")?.textContent).toContain("4 rows rejected for breaking it")
    // A run without a plan: no such section.
    expect(documentOf(renderRunReport({ run: record })).querySelector("#tracking-plan")).toBeNull()
  })

  it("draws a property that no message had a number for, without figures it does not have", () => {
    const empty = { kind: "numeric", path: "properties.score", count: 0, missing: 5, min: 0, max: 0, mean: 0, quantiles: [] } as const
    const alone = runRecord({
      id: "y",
      startedAt: "2026-12-07T10:00:00.000Z",
      profile: { properties: [empty], propertiesLeftOut: 0, timeline: [], rejectExamples: {} }
    })
    const document = documentOf(renderRunReport({ run: alone, previous: alone }))
    expect(document.querySelectorAll(`g.${HISTOGRAM_BAR_CLASS} rect`).length).toBe(HISTOGRAM_BINS)
    expect(document.querySelector("article.numeric")?.textContent).not.toContain("NaN")
  })

  it("gives the same document for the same records", () => {
    expect(renderRunReport({ run, previous })).toBe(renderRunReport({ run, previous }))
  })
})
