import { once } from "node:events"
import { mkdtemp, writeFile } from "node:fs/promises"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import path from "node:path"
import { type Sink, startSink } from "@tablecast/sink"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { runCli } from "../testing/runCli.ts"

/** A webhook on loopback: records each request's path and JSON body, and answers `status`. */
interface Receiver {
  readonly url: string
  readonly received: Array<{ readonly path: string; readonly body: Record<string, unknown> }>
  status: number
  close(): Promise<void>
}

const listen = async (server: Server): Promise<string> => {
  server.listen(0, "127.0.0.1")
  await once(server, "listening")
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

const startReceiver = async (): Promise<Receiver> => {
  const receiver = { received: [], status: 200 } as unknown as Receiver & { received: Receiver["received"] }
  const server = createServer((request, response) => {
    let text = ""
    request.on("data", (chunk: Buffer) => (text += chunk.toString()))
    request.on("end", () => {
      receiver.received.push({ path: request.url ?? "", body: JSON.parse(text) as Record<string, unknown> })
      response.writeHead(receiver.status, { "content-type": "text/plain" }).end("ok")
    })
  })
  const origin = await listen(server)
  return Object.assign(receiver, {
    // A token in the path and the query, as Slack's and others' webhooks carry one.
    url: `${origin}/services/T0001/B0001/hook-secret-token?token=query-secret`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  })
}

const WRITE_KEY = "wk_notify_test"
const env = { SEGMENT_WRITE_KEY: WRITE_KEY }

/** Rows whose ids and scores must never reach a webhook. */
const scores = (count: number, blankIds = 0) =>
  `customer_id,churn_score\n${Array.from({ length: count }, (_, i) => `${i < blankIds ? "" : `cust-${9_000 + i}`},0.${1_000 + i}`).join("\n")}\n`

const noRowValues = (body: Record<string, unknown>) => {
  const text = JSON.stringify(body)
  expect(text).not.toMatch(/cust-9\d{3}/)
  expect(text).not.toMatch(/0\.1\d{3}/)
}

interface SlackBody {
  readonly text: string
  readonly blocks: ReadonlyArray<{ readonly type: string; readonly fields?: ReadonlyArray<{ readonly text: string }> }>
}

const fieldsOf = (body: Record<string, unknown>): ReadonlyArray<string> =>
  ((body as unknown as SlackBody).blocks.find((block) => block.fields !== undefined)?.fields ?? []).map((field) => field.text)

describe("sync --notify, through the built CLI against a webhook on loopback", () => {
  let sink: Sink
  let webhook: Receiver
  let dir: string
  const table = async (name: string, count: number, blankIds = 0) => {
    const file = path.join(dir, name)
    await writeFile(file, scores(count, blankIds))
    return file
  }
  const sync = (file: string, args: ReadonlyArray<string>, cwd = dir) =>
    runCli(["sync", "-f", file, "-e", "Churn Scored", "-u", "customer_id", "--endpoint", sink.url, "--progress", "none", ...args], { env, cwd })

  beforeAll(async () => {
    sink = await startSink({ writeKeys: [WRITE_KEY] })
    webhook = await startReceiver()
    dir = await mkdtemp(path.join(tmpdir(), "tablecast-notify-"))
  })
  afterAll(async () => {
    await sink.close()
    await webhook.close()
  })
  beforeEach(() => {
    webhook.received.length = 0
    webhook.status = 200
  })

  it("success: sent only when asked (--notify-on success), Slack's shape by default, no row values", async () => {
    const file = await table("ok.csv", 50)
    const quiet = await sync(file, ["--notify", webhook.url])
    expect(quiet.code, quiet.stderr).toBe(0)
    expect(webhook.received).toHaveLength(0)

    const told = await sync(file, ["--notify", webhook.url, "--notify-on", "success", "--restart"])
    expect(told.code, told.stderr).toBe(0)
    expect(webhook.received).toHaveLength(1)
    const { path: at, body } = webhook.received[0]!
    expect(at).toBe("/services/T0001/B0001/hook-secret-token?token=query-secret")
    expect((body as unknown as SlackBody).text).toMatch(/delivered everything — exit 0$/)
    expect(fieldsOf(body)).toEqual(expect.arrayContaining(["*Outcome*\ncompleted", "*Exit code*\n0", "*Rows read*\n50", "*Accepted*\n50"]))
    expect(fieldsOf(body).some((field) => /^\*Duration\*\n\d/.test(field))).toBe(true)
    noRowValues(body)
  })

  it("rejects over the threshold (--notify-rejects-over), in the generic JSON format; at the threshold, nothing", async () => {
    const file = await table("rejects.csv", 40, 5)
    const atThreshold = await sync(file, ["--notify", webhook.url, "--notify-rejects-over", "5"])
    expect(atThreshold.code).toBe(3)
    expect(webhook.received).toHaveLength(0)

    const over = await sync(file, ["--notify", webhook.url, "--notify-rejects-over", "4", "--notify-format", "json", "--restart"])
    expect(over.code).toBe(3)
    expect(webhook.received).toHaveLength(1)
    const body = webhook.received[0]!.body
    expect(body).toMatchObject({ type: "tablecast.run.alert", trigger: "rejects", outcome: "completed", exitCode: 3 })
    expect(body.counts).toEqual({ read: 40, accepted: 35, rejected: 5, refused: 0, undelivered: 0, skipped: 0 })
    noRowValues(body)
  })

  it("failure: a write key refused mid-run, and a source that cannot be opened, both alert; the exit codes are the run's", async () => {
    const file = await table("fail.csv", 10)
    const refused = await runCli(
      ["sync", "-f", file, "-e", "E", "-u", "customer_id", "--endpoint", sink.url, "--notify", webhook.url, "--notify-format", "json"],
      { env: { SEGMENT_WRITE_KEY: "wk_not_this_one" }, cwd: dir }
    )
    expect(refused.code).toBe(5)
    expect(webhook.received.map((request) => request.body)).toEqual([
      expect.objectContaining({ trigger: "failure", outcome: "aborted", exitCode: 5, reason: expect.objectContaining({ kind: "auth" }) })
    ])

    webhook.received.length = 0
    const missing = await sync(path.join(dir, "nope.csv"), ["--notify", webhook.url, "--notify-format", "json"])
    expect(missing.code).toBe(6)
    expect(webhook.received.map((request) => request.body)).toEqual([
      expect.objectContaining({ trigger: "failure", outcome: "failed", exitCode: 6, reason: expect.objectContaining({ kind: "start" }) })
    ])
  })

  it("incomplete: an endpoint that refuses the batches", async () => {
    const refusing = createServer((request, response) => {
      request.resume()
      request.on("end", () => response.writeHead(400, { "content-type": "application/json" }).end('{"success":false,"error":"bad"}'))
    })
    const endpoint = await listen(refusing)
    try {
      const file = await table("incomplete.csv", 3)
      const run = await runCli(
        ["sync", "-f", file, "-e", "E", "-u", "customer_id", "--endpoint", endpoint, "--notify", webhook.url, "--notify-format", "json"],
        { env, cwd: dir }
      )
      expect(run.code, run.stderr).toBe(4)
      expect(webhook.received.map((request) => request.body)).toEqual([
        expect.objectContaining({ trigger: "incomplete", outcome: "incomplete", exitCode: 4, counts: expect.objectContaining({ refused: 3 }) })
      ])
    } finally {
      await new Promise<void>((resolve) => refusing.close(() => resolve()))
    }
  })

  it("guard: an incremental run stopped at the guard alerts from the config file's notify (urlEnv)", async () => {
    const cwd = await mkdtemp(path.join(tmpdir(), "tablecast-notify-guard-"))
    const full = await table("guard-full.csv", 100)
    const half = await table("guard-half.csv", 50)
    const config = (file: string) => ({
      syncs: {
        churn: {
          source: { type: "csv", path: file },
          event: "Churn Scored",
          customerId: "customer_id",
          key: ["customer_id"],
          destination: { endpoint: sink.url },
          notify: { urlEnv: "CHURN_WEBHOOK", on: ["guard"], format: "json" }
        }
      }
    })
    const runEnv = { ...env, CHURN_WEBHOOK: webhook.url }
    await writeFile(path.join(cwd, "tablecast.config.json"), JSON.stringify(config(full)))
    const first = await runCli(["sync", "churn", "--progress", "none"], { env: runEnv, cwd })
    expect(first.code, first.stderr).toBe(0)
    expect(webhook.received).toHaveLength(0)
    await writeFile(path.join(cwd, "tablecast.config.json"), JSON.stringify(config(half)))
    const stopped = await runCli(["sync", "churn", "--progress", "none"], { env: runEnv, cwd })
    expect(stopped.code, stopped.stderr).toBe(8)
    expect(webhook.received.map((request) => request.body)).toEqual([
      expect.objectContaining({ trigger: "guard", sync: "churn", exitCode: 8, reason: expect.objectContaining({ kind: "guard" }) })
    ])
  })

  it("a webhook answering 500 is retried, then given up: the run's exit code is unchanged, one warning without the URL's path or query", async () => {
    webhook.status = 500
    const file = await table("down-500.csv", 20, 2)
    const run = await sync(file, ["--notify", webhook.url, "--notify-rejects-over", "0"])
    expect(run.code).toBe(3)
    expect(webhook.received.length).toBeGreaterThan(1)
    const warnings = run.stderr.split("\n").filter((line) => line.includes("alert"))
    expect(warnings).toEqual([
      expect.stringMatching(/^tablecast: warning: the alert to http:\/\/127\.0\.0\.1:\d+ was not sent \(HTTP 500; gave up after \d+ attempts\)/)
    ])
    expect(run.stderr + run.stdout).not.toContain("hook-secret-token")
    expect(run.stderr + run.stdout).not.toContain("query-secret")
  })

  it("a webhook that is down (connection refused): the sync still succeeds with exit 0", async () => {
    const closed = createServer()
    const origin = await listen(closed)
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    const file = await table("down.csv", 20)
    const run = await sync(file, ["--notify", `${origin}/hook/secret-path?token=query-secret`, "--notify-on", "success", "--json"])
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({ outcome: "completed", messages: { accepted: 20 } })
    expect(run.stderr).toMatch(
      /^tablecast: warning: the alert to http:\/\/127\.0\.0\.1:\d+ was not sent \(ECONNREFUSED; gave up after \d+ attempts\)/m
    )
    expect(run.stderr).not.toContain("secret-path")
    expect(run.stderr).not.toContain("query-secret")
  })

  it("bad alert flags are usage errors naming the flag, the URL never echoed", async () => {
    const file = await table("flags.csv", 2)
    const unknown = await sync(file, ["--notify", webhook.url, "--notify-on", "failure,sometimes"])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('--notify-on: unknown trigger "sometimes"')
    const notUrl = await sync(file, ["--notify", "hooks.example/secret-path"])
    expect(notUrl.code).toBe(2)
    expect(notUrl.stderr).toContain("--notify: the webhook URL is not an absolute URL")
    expect(notUrl.stderr).not.toContain("secret-path")
    const without = await sync(file, ["--notify-on", "success"])
    expect(without.code).toBe(2)
    expect(without.stderr).toContain("need a webhook: give --notify <url>")
  })
})
