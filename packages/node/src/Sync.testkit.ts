import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { type Sink, type SinkOptionsInput, startSink } from "@tablecast/sink"
import type { DeliveryReport } from "@tablecast/core"
import { expect, onTestFinished } from "vitest"

/** A folder of its own for a test, with a CSV of `rows` scores (row i: customer `c<i>`, score i/1000). */
export const scoresFolder = async (rows: number, name = "scores.csv"): Promise<{ readonly dir: string; readonly file: string }> => {
  const dir = await mkdtemp(path.join(tmpdir(), "tablecast-node-"))
  const lines = Array.from({ length: rows }, (_, i) => `c${i + 1},${((i + 1) / 1000).toFixed(3)}`)
  const file = path.join(dir, name)
  await writeFile(file, `customer_id,churn_score\n${lines.join("\n")}\n`)
  return { dir, file }
}

/** The local receiver (real HTTP over loopback), closed when the test ends. */
export const receiver = async (options: SinkOptionsInput = {}): Promise<Sink> => {
  const sink = await startSink({ port: 0, ...options })
  onTestFinished(() => sink.close())
  return sink
}

/** The report's two accounting rules: every row read, and every message built, is in exactly one place. */
export const expectBalancedBooks = (report: DeliveryReport): void => {
  const { rows, messages } = report
  expect(rows.read).toBe(rows.skipped + rows.rejected + rows.mapped)
  expect(messages.built).toBe(messages.accepted + messages.refused + messages.undelivered)
}
