import { mkdtempSync, writeFileSync } from "node:fs"
import { request } from "node:http"
import { tmpdir } from "node:os"
import path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { describe, expect, it } from "vitest"
import { startInChildProcess } from "./index.ts"

// The child runs the built package (a forked process has no vitest to load TypeScript): `pnpm test` builds first.
const built = pathToFileURL(path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../dist/index.js")).href

/** A child entry serving `config.greeting` on loopback, or failing to start when `config.fail`. */
const childEntry = (): URL => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "test-server-process-")), "greeting-server.mjs")
  writeFileSync(
    file,
    `import { createServer } from "node:http"
import { serveInChildProcess } from ${JSON.stringify(built)}
serveInChildProcess((config, port) => new Promise((resolve, reject) => {
  if (config.fail) return reject(new Error("refused to start"))
  const server = createServer((_request, response) => response.end(config.greeting + " from " + process.pid))
  server.listen(port, "127.0.0.1", () => {
    const bound = server.address().port
    resolve({ url: "http://127.0.0.1:" + bound, port: bound, close: () => new Promise((done) => server.close(() => done())) })
  })
}))
`
  )
  return pathToFileURL(file)
}

const get = (url: string): Promise<string> =>
  new Promise((resolve, reject) => {
    request(url, (response) => {
      let body = ""
      response.on("data", (chunk: Buffer) => (body += chunk.toString()))
      response.on("end", () => resolve(body))
    })
      .on("error", reject)
      .end()
  })

describe("a test server in a child process", () => {
  it("starts with the parent's config in another process, answers on loopback, and is gone once stopped", async () => {
    const server = await startInChildProcess(childEntry(), "the greeting server", { greeting: "hello" })
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`)
    const answer = await get(server.url)
    expect(answer).toMatch(/^hello from \d+$/)
    expect(Number(answer.split(" ").at(-1))).not.toBe(process.pid)
    await server.stop()
    await expect(get(server.url)).rejects.toThrow(/ECONNREFUSED/)
    // Stopping twice is harmless.
    await server.stop()
  })

  it("rejects with the child's reason, worded with the server's name, when the server cannot start", async () => {
    await expect(startInChildProcess(childEntry(), "the greeting server", { fail: true })).rejects.toThrow(
      "the greeting server did not start: refused to start"
    )
  })
})
