import { Effect, Stream } from "effect"
import { afterAll, expect, it } from "vitest"
import { make } from "./SnowflakeSource.ts"
import { startTestEnv } from "./SnowflakeTestEnv.testkit.ts"

const env = await startTestEnv()
afterAll(() => env?.close())

it("smoke", async () => {
  const rows = await Effect.runPromise(
    Effect.scoped(
      Effect.flatMap(
        make({ account: env!.account, user: env!.user, password: env!.password, accessUrl: env!.server.url, query: "SELECT 1 AS one, 'x' AS two" }, {}),
        (source) => Stream.runCollect(source.rows)
      )
    )
  )
  console.log(JSON.stringify(rows), JSON.stringify(await env!.server.stats()))
  expect(rows.length).toBe(1)
})
