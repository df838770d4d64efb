import { describe, expect, it } from "vitest"
import { ProgressChannel } from "./ProgressChannel.ts"

const collect = async <A>(iterable: AsyncIterable<A>): Promise<Array<A>> => {
  const seen: Array<A> = []
  for await (const value of iterable) seen.push(value)
  return seen
}

describe("ProgressChannel", () => {
  it("gives a reader that fell behind the latest snapshot, then ends after the last one", async () => {
    const channel = new ProgressChannel<number>()
    channel.push(1)
    channel.push(2)
    channel.push(3)
    channel.end()
    expect(await collect(channel)).toEqual([3])
  })

  it("gives each snapshot to a reader that keeps up, and ends when the run does", async () => {
    const channel = new ProgressChannel<number>()
    const reading = collect(channel)
    for (const value of [1, 2, 3]) {
      channel.push(value)
      // Lets the reader take the snapshot before the next one comes.
      await new Promise((resolve) => setImmediate(resolve))
    }
    channel.end()
    expect(await reading).toEqual([1, 2, 3])
  })

  it("takes nothing after the end", async () => {
    const channel = new ProgressChannel<number>()
    channel.end()
    channel.push(1)
    expect(await collect(channel)).toEqual([])
  })
})
