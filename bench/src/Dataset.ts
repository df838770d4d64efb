import { createHash } from "node:crypto"
import { createWriteStream } from "node:fs"
import { mkdir, readFile, rename, writeFile } from "node:fs/promises"
import path from "node:path"
import { once } from "node:events"

/**
 * The benchmark's input: what a nightly model writes for each customer. One id, ten numeric scores
 * (probabilities, a lifetime value, RFM figures), a label and the time of the prediction.
 */
export const columns = [
  "customer_id",
  "churn_score",
  "p_iphone",
  "p_apple_watch",
  "p_airpods",
  "p_macbook",
  "p_ipad",
  "ltv_90d",
  "rfm_recency",
  "rfm_frequency",
  "rfm_monetary",
  "segment",
  "predicted_at"
] as const

/** The mapping every runner applies: a track call per row, the other columns as properties. */
export const mapping = {
  event: "Model Scores",
  customerId: "customer_id",
  timestamp: "predicted_at"
} as const

const segments = ["champions", "loyal", "potential", "new", "promising", "at_risk", "hibernating", "lost"] as const

/** mulberry32: a tiny seeded generator, so that the same seed writes the same bytes. */
export const seededRandom = (seed: number): (() => number) => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

// Numbers are written the way a model's dataframe writes them (0.734, not 0.7340), so that they
// read back as numbers.
const round = (value: number, digits: number): string => {
  const factor = 10 ** digits
  return String(Math.round(value * factor) / factor)
}

const firstPrediction = Date.UTC(2026, 4, 1, 2, 0, 0)

/** The CSV lines of rows `[from, to)` (row `n` is the n-th data row, from 0), each ending with a newline. */
export const csvLines = (random: () => number, from: number, to: number): string => {
  let text = ""
  for (let n = from; n < to; n++) {
    const churn = random()
    const recency = 1 + Math.floor(random() * 5)
    const frequency = 1 + Math.floor(random() * 5)
    const monetary = random() * 2_000
    text +=
      `${100_000_001 + n},${round(churn, 4)},${round(random(), 4)},${round(random(), 4)},${round(random(), 4)},` +
      `${round(random(), 4)},${round(random(), 4)},${round(random() * 1_500, 2)},${recency},${frequency},` +
      `${round(monetary, 2)},${segments[Math.floor(random() * segments.length)]},` +
      `${new Date(firstPrediction + Math.floor(random() * 3_600_000)).toISOString().slice(0, 19)}Z\n`
  }
  return text
}

export interface DatasetInfo {
  readonly path: string
  readonly rows: number
  readonly seed: number
  readonly bytes: number
  /** SHA-256 of the file: the same seed and row count always give the same one. */
  readonly sha256: string
}

/**
 * Writes `rows` rows of model output to `dir/scores-<rows>-<seed>.csv`, unless a file written by
 * the same generator with the same seed is already there (its manifest says so).
 */
export const ensureDataset = async (dir: string, rows: number, seed: number): Promise<DatasetInfo> => {
  await mkdir(dir, { recursive: true })
  const file = path.join(dir, `scores-${rows}-${seed}.csv`)
  const manifest = `${file}.json`
  try {
    const info = JSON.parse(await readFile(manifest, "utf8")) as DatasetInfo
    if (info.rows === rows && info.seed === seed && info.path === file) return info
  } catch {
    // No manifest yet: generate.
  }
  const partial = `${file}.partial`
  const out = createWriteStream(partial)
  const hash = createHash("sha256")
  let bytes = 0
  const write = async (text: string) => {
    hash.update(text)
    bytes += Buffer.byteLength(text)
    if (!out.write(text)) await once(out, "drain")
  }
  await write(`${columns.join(",")}\n`)
  const random = seededRandom(seed)
  for (let from = 0; from < rows; from += 10_000) await write(csvLines(random, from, Math.min(rows, from + 10_000)))
  out.end()
  await once(out, "close")
  await rename(partial, file)
  const info: DatasetInfo = { path: file, rows, seed, bytes, sha256: hash.digest("hex") }
  await writeFile(manifest, `${JSON.stringify(info, null, 2)}\n`)
  return info
}
