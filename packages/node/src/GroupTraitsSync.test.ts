import { mkdtemp, readFile, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { describe, expect, it } from "vitest"
import { OptionsError, sync } from "./index.ts"
import { expectBalancedBooks, receiver } from "./Sync.testkit.ts"

const received = async (out: string) =>
  (await readFile(out, "utf8"))
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>)

describe("sync with group traits of their own", () => {
  it("sends the account's columns on the group call and the user's on the identify", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "tablecast-node-group-traits-"))
    const file = path.join(dir, "seats.csv")
    const out = path.join(dir, "received.jsonl")
    await writeFile(
      file,
      "account_id,owner_id,email,account_tier,account_churn\nacme,u-1,ada@acme.test,gold,0.3\nglobex,u-2,bo@globex.test,silver,0.1\n"
    )
    const sink = await receiver({ writeKeys: ["test"], out })
    const report = await sync({
      source: { type: "csv", path: file },
      type: "identify,group",
      customerId: "owner_id",
      groupId: "account_id",
      groupTraits: ["account_tier", "account_churn"],
      writeKey: "test",
      destination: { endpoint: sink.url }
    })
    expect(report.messages.accepted).toBe(4)
    expectBalancedBooks(report)
    await sink.close()
    expect((await received(out)).map((message) => [message.type, message.traits])).toEqual([
      ["identify", { email: "ada@acme.test" }],
      ["group", { account_tier: "gold", account_churn: 0.3 }],
      ["identify", { email: "bo@globex.test" }],
      ["group", { account_tier: "silver", account_churn: 0.1 }]
    ])
  })

  it("refuses group traits without group calls, naming the field", async () => {
    const error = await sync({
      source: { type: "csv", path: "seats.csv" },
      type: "identify",
      customerId: "owner_id",
      groupTraits: ["account_tier"],
      writeKey: "test"
    }).then(
      () => undefined,
      (caught: unknown) => caught
    )
    expect(error).toBeInstanceOf(OptionsError)
    expect(String((error as Error).message)).toContain("groupTraits")
  })
})
