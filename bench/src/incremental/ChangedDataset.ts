import { createReadStream, createWriteStream } from "node:fs"
import { readFile, rename, writeFile } from "node:fs/promises"
import { once } from "node:events"
import { createInterface } from "node:readline"
import { columns, type DatasetInfo, seededRandom } from "../Dataset.ts"

/** The tolerance every incremental run of the benchmark declares: 0.01 on each probability score. */
export const tolerantColumns = ["churn_score", "p_iphone", "p_apple_watch", "p_airpods", "p_macbook", "p_ipad"] as const
export const tolerance = 0.01

/** How the next night's output differs from the dataset it is derived from. */
export interface ChangeShares {
  /** Rows whose churn score moves by 0.05: beyond the tolerance, so the row counts as changed. */
  readonly beyond: number
  /** Rows whose iPhone propensity moves by 0.001: within the tolerance, so the row counts as unchanged. */
  readonly within: number
}

export const defaultShares: ChangeShares = { beyond: 0.01, within: 0.001 }

export interface ChangedDatasetInfo {
  readonly path: string
  readonly base: string
  readonly rows: number
  readonly shares: ChangeShares
  /** Exact counts of the rows that were moved. */
  readonly beyond: number
  readonly within: number
}

const churnColumn = columns.indexOf("churn_score")
const iphoneColumn = columns.indexOf("p_iphone")

// Moves a 0–1 score by `delta`, away from the edge it would cross, written as the model writes it.
const moved = (text: string, delta: number): string => {
  const value = Number(text)
  const next = value + delta <= 1 ? value + delta : value - delta
  return String(Math.round(next * 10_000) / 10_000)
}

/**
 * Writes the next night's model output: the dataset's rows with `beyond` of them changed past the
 * tolerance and `within` of them (other rows) jittered below it, picked by a seeded generator so
 * that the same dataset always gives the same file. Reused while its manifest matches.
 */
export const ensureChangedDataset = async (base: DatasetInfo, shares: ChangeShares = defaultShares): Promise<ChangedDatasetInfo> => {
  const tag = `${Math.round(shares.beyond * 10_000)}bp-${Math.round(shares.within * 10_000)}bp`
  const file = base.path.replace(/\.csv$/, `-changed-${tag}.csv`)
  const manifest = `${file}.json`
  try {
    const info = JSON.parse(await readFile(manifest, "utf8")) as ChangedDatasetInfo
    if (info.base === base.sha256 && info.rows === base.rows && info.path === file) return info
  } catch {
    // No manifest yet: write the file.
  }
  const random = seededRandom(base.seed ^ 0x5eed)
  const partial = `${file}.partial`
  const out = createWriteStream(partial)
  let beyond = 0
  let within = 0
  let header = true
  for await (const line of createInterface({ input: createReadStream(base.path), crlfDelay: Infinity })) {
    let text = line
    if (header) header = false
    else {
      const pick = random()
      if (pick < shares.beyond || pick < shares.beyond + shares.within) {
        const fields = line.split(",")
        if (pick < shares.beyond) {
          fields[churnColumn] = moved(fields[churnColumn]!, 0.05)
          beyond++
        } else {
          fields[iphoneColumn] = moved(fields[iphoneColumn]!, 0.001)
          within++
        }
        text = fields.join(",")
      }
    }
    if (!out.write(`${text}\n`)) await once(out, "drain")
  }
  out.end()
  await once(out, "close")
  await rename(partial, file)
  const info: ChangedDatasetInfo = { path: file, base: base.sha256, rows: base.rows, shares, beyond, within }
  await writeFile(manifest, `${JSON.stringify(info, null, 2)}\n`)
  return info
}
