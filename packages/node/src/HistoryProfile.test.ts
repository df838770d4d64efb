import { writeFile } from "node:fs/promises"
import path from "node:path"
import { describe, expect, it } from "vitest"
import { runHistoryFile, type SyncOptions, sync } from "./index.ts"
import { receiver, scoresFolder } from "./Sync.testkit.ts"

describe("sync's history option, with the run's profile", () => {
  it("records what a keyed incremental run's report draws: the scores' distribution and how many customers moved", async () => {
    const sink = await receiver({ writeKeys: ["wk_node_profile"] })
    const { dir, file } = await scoresFolder(30)
    const options: SyncOptions = {
      source: { type: "csv", path: "scores.csv" },
      event: "Churn Scored",
      customerId: "customer_id",
      key: ["customer_id"],
      cwd: dir,
      destination: { endpoint: sink.url },
      writeKey: "wk_node_profile",
      history: "runs.jsonl"
    }
    await sync(options)
    // Every third customer's score moves by 0.5; the others keep theirs.
    const scores = Array.from({ length: 30 }, (_, i) => (i + 1) / 1000 + (i % 3 === 0 ? 0.5 : 0))
    await writeFile(file, `customer_id,churn_score\n${scores.map((score, i) => `c${i + 1},${score.toFixed(3)}`).join("\n")}\n`)
    await sync(options)
    const [second, first] = await runHistoryFile(path.join(dir, "runs.jsonl")).list()
    expect(first?.profile?.properties[0]).toMatchObject({ kind: "numeric", path: "properties.churn_score", count: 30, min: 0.001, max: 0.03 })
    expect(first?.profile?.movement).toBeUndefined()
    // The second run sends the changed rows only: its distribution is theirs.
    const changed = scores.filter((_, i) => i % 3 === 0)
    expect(second?.profile?.properties[0]).toMatchObject({ count: changed.length, min: Math.min(...changed), max: Math.max(...changed) })
    expect(second?.profile?.movement).toEqual([{ column: "churn_score", compared: 30, threshold: 0, moved: changed.length }])
    expect(second?.profile?.timeline.at(-1)).toMatchObject({ messagesAccepted: changed.length })
  })
})
