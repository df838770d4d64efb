import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import type { DeliveryReport } from "@tablecast/core"
import { type Sink, startSink } from "@tablecast/sink"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { readJsonl } from "../testing/readJsonl.ts"
import { runCli } from "../testing/runCli.ts"

const WRITE_KEY = "wk_test_group_traits_41c9"
const env = { SEGMENT_WRITE_KEY: WRITE_KEY }

/** A member of an account per row: the user's columns, then the account's. */
interface Seat {
  readonly account_id: string
  readonly owner_id: string
  readonly email: string
  readonly seat_role: string
  readonly account_tier: string
  readonly account_churn: number
}
const seats = (count: number, change: (index: number) => Partial<Seat> = () => ({})): ReadonlyArray<Seat> =>
  Array.from({ length: count }, (_, i) => ({
    account_id: `acct-${i + 1}`,
    owner_id: `u-${i + 1}`,
    email: `owner${i + 1}@example.test`,
    seat_role: i % 2 === 0 ? "admin" : "member",
    account_tier: ["gold", "silver", "bronze"][i % 3]!,
    account_churn: ((i * 37) % 100) / 100,
    ...change(i + 1)
  }))
const csvOf = (rows: ReadonlyArray<Seat>) =>
  `account_id,owner_id,email,seat_role,account_tier,account_churn\n${rows
    .map((row) => [row.account_id, row.owner_id, row.email, row.seat_role, row.account_tier, row.account_churn].join(","))
    .join("\n")}\n`

let dir: string
let sink: Sink
let received: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "tablecast-group-traits-"))
  received = path.join(dir, "received.jsonl")
  sink = await startSink({ out: received, writeKeys: [WRITE_KEY] })
})
afterEach(async () => {
  await sink.close()
})

const mapping = [
  "-u",
  "owner_id",
  "--group-id",
  "account_id",
  "--group-traits",
  "account_tier,account_churn",
  "--rename",
  "account_churn=scores.churn"
]

/** Everything the receiver holds, once it is closed (its file is complete). */
const receivedMessages = async () => {
  await sink.close()
  return readJsonl(received)
}

describe("tablecast sync --group-traits", () => {
  it("sends the account's columns on the group call and the user's on the identify (the receiver checks each call's traits)", async () => {
    const rows = seats(12)
    await writeFile(path.join(dir, "seats.csv"), csvOf(rows))
    const result = await runCli(["sync", "-f", "seats.csv", "--type", "identify,group", ...mapping, "--endpoint", sink.url, "--json"], {
      cwd: dir,
      env
    })
    expect(result.code, result.stderr).toBe(0)
    const report = JSON.parse(result.stdout) as DeliveryReport
    expect(report.messages).toMatchObject({ accepted: 24, calls: { identify: 12, group: 12, track: 0 } })
    const messages = await receivedMessages()
    const identifies = messages.filter((message) => message.type === "identify")
    const groups = messages.filter((message) => message.type === "group")
    expect(identifies).toHaveLength(12)
    expect(groups).toHaveLength(12)
    for (const [index, seat] of rows.entries()) {
      expect(identifies[index]!.traits).toEqual({ email: seat.email, seat_role: seat.seat_role })
      expect(groups[index]).toMatchObject({ userId: seat.owner_id, groupId: seat.account_id })
      expect(groups[index]!.traits).toEqual({ account_tier: seat.account_tier, scores: { churn: seat.account_churn } })
    }
  })

  it("takes groupTraits from the config file, and refuses --group-traits without group (exit 2, naming the flag)", async () => {
    await writeFile(path.join(dir, "seats.csv"), csvOf(seats(3)))
    const entry = {
      source: { type: "csv", path: "seats.csv" },
      type: "identify,group",
      customerId: "owner_id",
      groupId: "account_id",
      traits: ["email"],
      groupTraits: ["account_tier"],
      destination: { endpoint: sink.url }
    }
    await writeFile(path.join(dir, "tablecast.config.json"), JSON.stringify({ syncs: { seats: entry } }))
    const result = await runCli(["sync", "seats", "--json"], { cwd: dir, env })
    expect(result.code, result.stderr).toBe(0)

    const refused = await runCli(
      ["sync", "-f", "seats.csv", "--type", "identify", "-u", "owner_id", "--group-traits", "account_tier", "--endpoint", sink.url],
      { cwd: dir, env }
    )
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain("--group-traits")

    const messages = await receivedMessages()
    expect(messages.map((message) => [message.type, message.traits])).toEqual([
      ["identify", { email: "owner1@example.test" }],
      ["group", { account_tier: "gold" }],
      ["identify", { email: "owner2@example.test" }],
      ["group", { account_tier: "silver" }],
      ["identify", { email: "owner3@example.test" }],
      ["group", { account_tier: "bronze" }]
    ])
  })

  it("an incremental sync sees a change of a group trait alone; plan breaks the messages down by call type", async () => {
    const file = path.join(dir, "seats.csv")
    const args = ["-f", file, "--type", "identify,group", ...mapping, "--key", "account_id"]
    await writeFile(file, csvOf(seats(20)))
    const first = await runCli(["sync", ...args, "--endpoint", sink.url, "--json"], { cwd: dir, env })
    expect(first.code, first.stderr).toBe(0)

    // Only account columns move: the accounts' tier of acct-4 and the churn of acct-11.
    const moved = seats(20, (index) => (index === 4 ? { account_tier: "platinum" } : index === 11 ? { account_churn: 0.97 } : {}))
    await writeFile(file, csvOf(moved))
    const plan = await runCli(["plan", ...args, "--json"], { cwd: dir })
    expect(plan.code, plan.stderr).toBe(0)
    expect(JSON.parse(plan.stdout)).toMatchObject({
      rows: { changed: 2, unchanged: 18 },
      send: { messages: 4, calls: { identify: 2, group: 2, track: 0 } }
    })
    const text = await runCli(["plan", ...args], { cwd: dir })
    expect(text.stdout).toMatch(/^ {2}calls {7}2 identify, 2 group$/m)

    const second = await runCli(["sync", ...args, "--endpoint", sink.url, "--json"], { cwd: dir, env })
    expect(second.code, second.stderr).toBe(0)
    expect((JSON.parse(second.stdout) as DeliveryReport).messages.calls).toEqual({ identify: 2, group: 2, track: 0 })
    const groups = (await receivedMessages()).filter((message) => message.type === "group").slice(20)
    expect(groups.map((group) => [group.groupId, group.traits])).toEqual([
      ["acct-4", { account_tier: "platinum", scores: { churn: moved[3]!.account_churn } }],
      ["acct-11", { account_tier: moved[10]!.account_tier, scores: { churn: 0.97 } }]
    ])
  })
})

describe("tablecast inspect on a table of members with their account's columns", () => {
  it("proposes identify,group with the account_* columns as group traits, and the written entry sends them so", async () => {
    // Twelve members of four accounts: the account id repeats, the user id does not.
    const rows = seats(12, (index) => ({ account_id: `acct-${((index - 1) % 4) + 1}` }))
    const csv = `user_id,account_id,email,seat_role,account_tier\n${rows
      .map((row) => [row.owner_id, row.account_id, row.email, row.seat_role, row.account_tier].join(","))
      .join("\n")}\n`
    await writeFile(path.join(dir, "seats.csv"), csv)
    const written = await runCli(["inspect", "-f", "seats.csv", "--write-config", "tablecast.config.json", "--name", "seats"], { cwd: dir })
    expect(written.code, written.stderr).toBe(0)
    expect(written.stdout).toContain('"groupTraits": [\n    "account_tier"\n  ]')
    const result = await runCli(["sync", "seats", "--endpoint", sink.url, "--json"], { cwd: dir, env })
    expect(result.code, result.stderr).toBe(0)
    const messages = await receivedMessages()
    expect(messages.slice(0, 2)).toMatchObject([
      { type: "identify", userId: "u-1", traits: { email: rows[0]!.email, seat_role: rows[0]!.seat_role } },
      { type: "group", userId: "u-1", groupId: "acct-1", traits: { account_tier: rows[0]!.account_tier } }
    ])
    expect(messages[0]!.traits).not.toHaveProperty("account_tier")
    expect(Object.keys(messages[1]!.traits as object)).toEqual(["account_tier"])
  })
})

describe("a removed account in a group-only incremental sync", () => {
  const removal = async (extra: ReadonlyArray<string>) => {
    const file = path.join(dir, "accounts.csv")
    const args = ["-f", file, "--type", "group", ...mapping, "--key", "account_id", "--mode", "all", "--endpoint", sink.url, "--json", ...extra]
    await writeFile(file, csvOf(seats(10)))
    const first = await runCli(["sync", ...args], { cwd: dir, env })
    expect(first.code, first.stderr).toBe(0)
    // The second run's table has no acct-6.
    await writeFile(file, csvOf(seats(10).filter((seat) => seat.account_id !== "acct-6")))
    const second = await runCli(["sync", ...args], { cwd: dir, env })
    expect(second.code, second.stderr).toBe(0)
    const { calls } = (JSON.parse(second.stdout) as DeliveryReport).messages
    expect(calls).toEqual({ identify: 0, group: 1, track: extra.length === 0 ? 0 : 1 })
    return (await receivedMessages()).slice(10)
  }

  it("gets a group call that sets the group traits last sent to null, and no track event", async () => {
    const after = await removal([])
    expect(after).toHaveLength(1)
    expect(after[0]).toMatchObject({ type: "group", userId: "u-6", groupId: "acct-6", traits: { account_tier: null, scores: null } })
  })

  it("with --removed-event, also gets the track event with the key", async () => {
    const after = await removal(["--removed-event", "Segment Exited"])
    expect(after.map((message) => message.type)).toEqual(["group", "track"])
    expect(after[1]).toMatchObject({ userId: "u-6", event: "Segment Exited", properties: { account_id: "acct-6" } })
  })
})
