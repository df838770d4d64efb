#!/usr/bin/env node
/**
 * Generates examples/sales-predictions.csv: the output of an imaginary "Sales Prediction" model,
 * one row per customer, with a purchase probability per product.
 *
 * Seeded and reproducible: the same options always write the same bytes (no clock, no Math.random).
 * Plain Node, no dependencies.
 *
 *   node examples/generate-sales-predictions.mjs [--rows 3000] [--seed 20250601] [--out FILE]
 */
import { writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { parseArgs } from "node:util"

export const products = ["iphone", "apple_watch", "airpods", "ipad", "mac"]
export const columns = ["customer_id", "email", ...products, "top_product", "segment", "predicted_at"]

/** mulberry32: a small, well-known 32-bit PRNG; good enough for fake data, and seedable. */
const prng = (seed) => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const firstNames = [
  "ava",
  "noah",
  "mia",
  "liam",
  "zoe",
  "ethan",
  "lea",
  "lucas",
  "ines",
  "omar",
  "yuki",
  "sofia",
  "mateo",
  "amara",
  "jonas",
  "priya",
  "chloe",
  "diego",
  "hana",
  "felix",
  "nora",
  "arjun",
  "elena",
  "kofi",
  "maya",
  "theo",
  "sara",
  "ivan"
]
const lastNames = [
  "smith",
  "garcia",
  "martin",
  "nguyen",
  "kowalski",
  "rossi",
  "muller",
  "tanaka",
  "okafor",
  "silva",
  "dubois",
  "khan",
  "johansson",
  "lopez",
  "novak",
  "schmidt",
  "moreau",
  "ahmed",
  "kim",
  "popescu",
  "walsh",
  "costa",
  "yilmaz",
  "berg"
]
// Reserved example domains (RFC 2606): the file must never hold a real person's address.
const domains = ["example.com", "example.org", "example.net"]

const clamp01 = (value) => Math.min(1, Math.max(0, value))
// A model's probability is never exactly 0 or 1.
const round3 = (value) => Math.min(0.999, Math.max(0.001, Math.round(value * 1000) / 1000))

/** The customer's segment, from an RFM-like engagement score and how recent the customer is. */
const segmentOf = (engagement, isNew) => {
  if (isNew) return "new_customers"
  if (engagement >= 0.8) return "champions"
  if (engagement >= 0.65) return "loyal"
  if (engagement >= 0.5) return "potential_loyalists"
  if (engagement >= 0.35) return "needs_attention"
  if (engagement >= 0.2) return "at_risk"
  return "hibernating"
}

/** The rows, as arrays of strings in `columns` order. */
export const generateRows = ({ rows = 3000, seed = 20250601 } = {}) => {
  const random = prng(seed)
  const pick = (list) => list[Math.floor(random() * list.length)]
  const gaussian = () => (random() + random() + random() + random() - 2) / 2 // about N(0, 0.58²), bounded

  // One scoring run: the model started at 02:00 UTC and wrote a prediction every ~0.9 s.
  const runStart = Date.UTC(2025, 5, 1, 2, 0, 0, 0)
  let clock = runStart
  const ids = new Set()
  const emails = new Set()
  const result = []

  for (let index = 0; index < rows; index++) {
    // Nine-digit customer ids, unique, in no particular order (as a warehouse export has them).
    let id = index === 0 ? 162514333 : 100000000 + Math.floor(random() * 900000000)
    while (ids.has(id)) id = 100000000 + Math.floor(random() * 900000000)
    ids.add(id)

    let email = `${pick(firstNames)}.${pick(lastNames)}@${pick(domains)}`
    for (let suffix = 2; emails.has(email); suffix++) email = email.replace(/(\d*)@/, `${suffix}@`)
    emails.add(email)

    const engagement = clamp01(0.5 + gaussian() * 0.6)
    const isNew = random() < 0.07
    // Owning an iPhone drives the accessories; a Mac buyer leans to the iPad. Noise keeps it real.
    const iphone = clamp01(0.1 + 0.75 * engagement + gaussian() * 0.22)
    const appleWatch = clamp01(0.45 * iphone + 0.3 * engagement + gaussian() * 0.2)
    const airpods = clamp01(0.1 + 0.65 * iphone + gaussian() * 0.2)
    const mac = clamp01(0.05 + 0.55 * engagement + gaussian() * 0.25)
    const ipad = clamp01(0.05 + 0.4 * mac + 0.25 * engagement + gaussian() * 0.2)
    let scores = [iphone, appleWatch, airpods, ipad, mac].map(round3)
    // The first row is the example used throughout the docs.
    if (index === 0) scores = [0.734, 0.812, 0.655, 0.218, 0.401]

    const best = scores.indexOf(Math.max(...scores))
    clock += 600 + Math.floor(random() * 600)
    result.push([
      String(id),
      email,
      ...scores.map((score) => score.toFixed(3)),
      products[best],
      segmentOf(engagement, isNew),
      new Date(clock).toISOString()
    ])
  }
  return result
}

/** The CSV text: a header, LF line endings, a final newline. No field needs quoting. */
export const toCsv = (rows) => `${[columns, ...rows].map((row) => row.join(",")).join("\n")}\n`

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href
if (isMain) {
  const { values } = parseArgs({
    options: {
      rows: { type: "string", default: "3000" },
      seed: { type: "string", default: "20250601" },
      out: { type: "string", default: join(dirname(fileURLToPath(import.meta.url)), "sales-predictions.csv") }
    }
  })
  const rows = generateRows({ rows: Number(values.rows), seed: Number(values.seed) })
  writeFileSync(values.out, toCsv(rows))
  console.log(`wrote ${rows.length} rows to ${values.out}`)
}
