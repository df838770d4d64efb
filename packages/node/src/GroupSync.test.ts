import { mkdtemp, readFile, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { describe, expect, it } from "vitest"
import { OptionsError, sync } from "./index.ts"
import { expectBalancedBooks, receiver } from "./Sync.testkit.ts"

describe("sync with group calls", () => {
  it("delivers a group call per account, with its traits and the member it ties to", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "tablecast-node-group-"))
    const file = path.join(dir, "accounts.csv")
    const out = path.join(dir, "received.jsonl")
    await writeFile(file, "account_id,owner_id,name,churn_risk\nacme,u-1,Acme,0.3\nglobex,u-2,Globex,0.1\n")
    const sink = await receiver({ writeKeys: ["test"], out })
    const report = await sync({
      source: { type: "csv", path: file },
      type: ["identify", "group"],
      customerId: "owner_id",
      groupId: "account_id",
      writeKey: "test",
      destination: { endpoint: sink.url }
    })
    expect(report.messages.accepted).toBe(4)
    expectBalancedBooks(report)
    await sink.close()
    const groups = (await readFile(out, "utf8"))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((message) => message.type === "group")
    expect(groups).toMatchObject([
      { userId: "u-1", groupId: "acme", traits: { name: "Acme", churn_risk: 0.3 } },
      { userId: "u-2", groupId: "globex", traits: { name: "Globex", churn_risk: 0.1 } }
    ])
  })

  it("refuses a group sync without a group id column, naming the field", async () => {
    const error = await sync({ source: { type: "csv", path: "accounts.csv" }, type: "group", customerId: "owner_id", writeKey: "test" }).then(
      () => undefined,
      (caught: unknown) => caught
    )
    expect(error).toBeInstanceOf(OptionsError)
    expect(String((error as Error).message)).toContain("groupId")
  })
})
