/**
 * Throughput and memory of the CSV source: generates a file of N rows (10 columns, like a model's
 * output) unless one is given, streams it through `CsvSource.rows` counting rows, and prints rows/s
 * and the peak RSS. Runs the built package, as users run it: `pnpm run bench [rows] [file]` (it
 * builds this package; `@tablecast/core` must be built too, e.g. by `pnpm run build` at the root).
 */
import { createWriteStream } from "node:fs"
import { stat } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Stream } from "effect"
import { CsvSource } from "@tablecast/source-csv"

const rowCount = Number(process.argv[2] ?? 1_000_000)
const path = process.argv[3] ?? join(tmpdir(), `tablecast-bench-${rowCount}.csv`)

const generate = async () => {
  const out = createWriteStream(path)
  const write = (text) => (out.write(text) ? Promise.resolve() : new Promise((resolve) => out.once("drain", resolve)))
  await write("customer_id,email,iphone,apple_watch,airpods,ipad,mac,top_product,segment,predicted_at\n")
  let seed = 42
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648
    return seed / 2147483648
  }
  let text = ""
  for (let index = 0; index < rowCount; index++) {
    const scores = [random(), random(), random(), random(), random()].map((score) => score.toFixed(3))
    text += `${162514333 + index},user${index}@example.com,${scores.join(",")},iphone,"champions, loyal",2025-06-0${1 + (index % 9)}T10:00:00.000Z\n`
    if (text.length > 1 << 16) {
      await write(text)
      text = ""
    }
  }
  await write(text)
  await new Promise((resolve) => out.end(resolve))
}

const exists = await stat(path).then(
  () => true,
  () => false
)
if (!exists) await generate()
const { size } = await stat(path)

let peakRss = process.memoryUsage().rss
const baselineRss = peakRss
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss)
}, 20)

const started = performance.now()
const counts = await Effect.runPromise(
  Effect.gen(function* () {
    const source = yield* CsvSource.make({ path })
    return yield* Stream.runFold(
      source.rows,
      () => ({ rows: 0, malformed: 0 }),
      (counts, item) => {
        if ("_tag" in item) counts.malformed++
        else counts.rows++
        return counts
      }
    )
  })
)
const seconds = (performance.now() - started) / 1000
clearInterval(sampler)
peakRss = Math.max(peakRss, process.memoryUsage().rss)

const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(0)} MB`
console.log(
  `${counts.rows} rows (${counts.malformed} malformed), ${mb(size)} in ${seconds.toFixed(2)} s: ` +
    `${Math.round(counts.rows / seconds).toLocaleString("en-US")} rows/s, ${(size / 1024 / 1024 / seconds).toFixed(1)} MB/s; ` +
    `RSS ${mb(baselineRss)} at start, ${mb(peakRss)} peak`
)
