import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { describe, expect, it } from "vitest"
import { runCli } from "../testing/runCli.ts"

const ACCOUNTS = "account_id,owner_id,churn_risk\nacct-1,u-1,0.2\nacct-2,u-2,0.7\nacct-3,u-3,0.4\n"

describe("tablecast plan's heading", () => {
  it("names an unnamed sync by its calls and event, a named one by its name", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "tablecast-plan-heading-"))
    await writeFile(path.join(dir, "accounts.csv"), ACCOUNTS)
    const plan = (args: ReadonlyArray<string>) =>
      runCli(["plan", "-f", "accounts.csv", "-u", "owner_id", "--key", "account_id", ...args], { cwd: dir })

    const group = await plan(["--type", "identify,group", "--group-id", "account_id"])
    expect(group.code, group.stderr).toBe(0)
    expect(group.stdout.split("\n")[0]).toMatch(/^tablecast plan identify \+ group: 3 rows read against a snapshot of 0 /)

    const track = await plan(["-e", "Account Scored"])
    expect(track.code, track.stderr).toBe(0)
    expect(track.stdout.split("\n")[0]).toMatch(/^tablecast plan track "Account Scored": 3 rows read/)

    const named = await plan(["--type", "identify,group", "--group-id", "account_id", "--name", "account-churn"])
    expect(named.code, named.stderr).toBe(0)
    expect(named.stdout.split("\n")[0]).toMatch(/^tablecast plan account-churn: 3 rows read/)
  })
})
