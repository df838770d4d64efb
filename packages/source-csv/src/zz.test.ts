import { writeFileSync } from "node:fs"
import { Effect, Stream } from "effect"
import { it } from "vitest"
import { CsvSource } from "./index.ts"
const show = async (text: string | Buffer, opts: object = {}) => {
  writeFileSync("/tmp/scr/s.csv", text)
  const exit = await Effect.runPromiseExit(Effect.gen(function* () {
    const src = yield* CsvSource.make({ path: "/tmp/scr/s.csv", ...opts })
    return yield* Stream.runCollect(src.rows)
  }))
  console.log(JSON.stringify(exit, null, 0))
}
it("scratch", async () => {
await show('a,b\r\n1,"x\r\ny"\r\n2,z\r\n3\r\n')
await show('a,b\n1,ab"c"d\n2,z\n3,"q"w,e\nfoo\n4,"unclosed\n5,x\n')
await show('a,b\n1,x\n\n\n"2\n2",y,z\n')
await show(Buffer.concat([Buffer.from('\ufeffa,b\n1,'), Buffer.from([0xff, 0x41]), Buffer.from('\n2,\ufffd\n')]))
await show('a,a\n1,2\n')
await show('')
await show('a,b\n1,2\n', {path: "/tmp/nope.csv"})
})
