import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import type { DeliveryReport } from "@tablecast/core"
import { type Sink, startSink } from "@tablecast/sink"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { readJsonl } from "../testing/readJsonl.ts"
import { runCli } from "../testing/runCli.ts"

// Issue #14, finding 3: `auto` typing is decided once per column, never value by value.
const WRITE_KEY = "wk_test_4f9a8c1e2b7d"

let dir: string
let sink: Sink | undefined
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "tablecast-cli-typing-"))
})
afterEach(async () => {
  await sink?.close()
  sink = undefined
})

const csv = async (name: string, lines: ReadonlyArray<string>) => {
  const file = path.join(dir, name)
  await writeFile(file, `${lines.join("\n")}\n`)
  return file
}

/** Syncs `file` to a fresh receiver; the messages it stored, by row order, and the report. */
const syncTo = async (file: string, extra: ReadonlyArray<string> = []) => {
  const received = path.join(dir, `received-${Math.random().toString(36).slice(2)}.jsonl`)
  sink = await startSink({ out: received, writeKeys: [WRITE_KEY] })
  const rejects = path.join(dir, `rejects-${Math.random().toString(36).slice(2)}.jsonl`)
  const result = await runCli(
    ["sync", "-f", file, "-e", "Order", "-u", "customer_id", "--endpoint", sink.url, "--rejects", rejects, "--json", ...extra],
    {
      env: { SEGMENT_WRITE_KEY: WRITE_KEY }
    }
  )
  await sink.close()
  sink = undefined
  const messages = (await readJsonl(received)).sort((a, b) => Number(String(a.userId).slice(1)) - Number(String(b.userId).slice(1)))
  return {
    code: result.code,
    stderr: result.stderr,
    report: JSON.parse(result.stdout) as DeliveryReport,
    properties: messages.map((message) => message.properties as Record<string, unknown>),
    rejects: await readJsonl(rejects).catch(() => [])
  }
}

describe("tablecast sync: one column, one type", () => {
  it("sends 1520.50, 210.00, 19.99 and 4210.75 of one monetary column all as numbers", async () => {
    const file = await csv("monetary.csv", ["customer_id,monetary", "c1,1520.50", "c2,210.00", "c3,19.99", "c4,4210.75"])
    const { code, properties } = await syncTo(file)
    expect(code).toBe(0)
    expect(properties.map((p) => p.monetary)).toEqual([1520.5, 210, 19.99, 4210.75])
  })

  it("rejects a later value that does not fit the type the first 1,000 rows decided (exit 3), naming the column and the type", async () => {
    const file = await csv("long.csv", [
      "customer_id,amount",
      ...Array.from({ length: 1_100 }, (_, index) => `c${index + 1},${index + 1 === 1_050 ? "n/a" : `${index + 1}.00`}`)
    ])
    const { code, report, properties, rejects } = await syncTo(file)
    expect(code).toBe(3)
    expect(report.rows).toMatchObject({ read: 1_100, mapped: 1_099, rejected: 1 })
    expect(rejects).toEqual([
      expect.objectContaining({
        row: 1_050,
        stage: "validation",
        column: "amount",
        reason:
          'column "amount" is typed number (decided from the first 1000 rows); "n/a" is not a number — use --column amount=string to send it as text'
      })
    ])
    expect(properties).toHaveLength(1_099)
    expect(new Set(properties.map((p) => typeof p.amount))).toEqual(new Set(["number"]))
    // The way out the reason names: the whole column as text, nothing rejected.
    const asText = await syncTo(file, ["--column", "amount=string"])
    expect(asText.code).toBe(0)
    expect(asText.properties[1_049]).toEqual({ amount: "n/a" })
    expect(asText.properties[0]).toEqual({ amount: "1.00" })
  })

  it("--column '*=string' sends every column as text; a column named on its own keeps its type", async () => {
    const file = await csv("mixed.csv", ["customer_id,monetary,score", "c1,1520.50,0.5", "c2,210.00,0.25"])
    const all = await syncTo(file, ["--column", "*=string"])
    expect(all.properties).toEqual([
      { monetary: "1520.50", score: "0.5" },
      { monetary: "210.00", score: "0.25" }
    ])
    const named = await syncTo(file, ["--column", "*=string", "--column", "score=number"])
    expect(named.properties[1]).toEqual({ monetary: "210.00", score: 0.25 })
  })

  it("a config file's columns take '*' too", async () => {
    const file = await csv("config.csv", ["customer_id,monetary", "c1,0.5"])
    const config = path.join(dir, "tablecast.config.json")
    await writeFile(
      config,
      JSON.stringify({
        syncs: { orders: { source: { type: "csv", path: file }, event: "Order", customerId: "customer_id", columns: { "*": "string" } } }
      })
    )
    const received = path.join(dir, "config-received.jsonl")
    sink = await startSink({ out: received, writeKeys: [WRITE_KEY] })
    const result = await runCli(["sync", "orders", "--config", config, "--endpoint", sink.url, "--json"], {
      env: { SEGMENT_WRITE_KEY: WRITE_KEY }
    })
    expect(result.code).toBe(0)
    await sink.close()
    sink = undefined
    expect((await readJsonl(received))[0]!.properties).toEqual({ monetary: "0.5" })
  })

  it('--empty empty sends an empty field as "" (null and omit as before)', async () => {
    const file = await csv("empty.csv", ["customer_id,note,amount", "c1,,1", "c2,hi,"])
    expect((await syncTo(file, ["--empty", "empty"])).properties).toEqual([{ note: "", amount: 1 }, { note: "hi" }])
    expect((await syncTo(file, ["--empty", "null"])).properties).toEqual([
      { note: null, amount: 1 },
      { note: "hi", amount: null }
    ])
    expect((await syncTo(file)).properties).toEqual([{ amount: 1 }, { note: "hi" }])
  })

  it("preview and inspect show the type each column is sent as", async () => {
    const file = await csv("shown.csv", [
      "customer_id,amount,zip",
      ...Array.from({ length: 1_100 }, (_, index) => `c${index + 1},${index + 1 === 1_050 ? "n/a" : `${index + 1}.50`},0${index + 1}`)
    ])
    const preview = await runCli(["preview", "-f", file, "-e", "Order", "-u", "customer_id", "-n", "1"])
    expect(preview.code).toBe(0)
    expect(preview.stderr).toContain("column types (auto is decided once per column):")
    expect(preview.stderr).toMatch(/customer_id\s+string\s+userId/)
    expect(preview.stderr).toMatch(/amount\s+number\s+decided from the first 1000 rows/)
    expect(preview.stderr).toMatch(/zip\s+string\s+decided from the first 1000 rows; row 1 holds "01", not a number/)
    expect(JSON.parse(preview.stdout.trim())).toMatchObject({ properties: { amount: 1.5, zip: "01" } })

    const inspect = await runCli(["inspect", "--file", file])
    expect(inspect.code).toBe(0)
    expect(inspect.stdout).toMatch(/COLUMN\s+TYPE\s+AS JSON\s+AUTO SENDS/)
    expect(inspect.stdout).toMatch(/\bamount\s+text\s+string\s+number\b/)
    expect(inspect.stdout).toContain('amount: typed number from the first rows, but row 1050 holds "n/a": a sync would reject that row')
    // The proposal declares such a column text, so that a sync of it rejects nothing.
    expect(inspect.stdout).toMatch(/"amount": "string"/)
    const json = JSON.parse((await runCli(["inspect", "--file", file, "--json"])).stdout) as {
      columns: ReadonlyArray<{ name: string; sentAs: unknown }>
    }
    expect(json.columns.find((c) => c.name === "amount")!.sentAs).toEqual({ type: "number", basis: "decided from the first 1000 rows" })
  })
})
