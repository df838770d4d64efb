import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { scoreCsv, scoreRows } from "./rows.ts"

/** The `Authorization` value `/private/*` documents need (a scheduled run's authorizationSecret in the tests). */
export const RowsServerAuthorization = "Bearer rows-server-secret-5d1e"

/**
 * A loopback server of row documents for scheduled runs, in the Node side of the test run:
 * - `/scores.csv?rows=N&broken=K` — N score rows as CSV (data row K missing a field);
 * - `/scores.json?rows=N` — the same rows as a JSON array;
 * - `/private/scores.json?rows=N` — the same, only with `RowsServerAuthorization`;
 * - `/plain.txt` — text/plain (no format to read); `/not-rows.json` — a JSON array of numbers;
 * anything else 404. `/requests` answers how many documents were asked for, by path.
 */
export const startRowsServer = async (): Promise<{ url: string; close: () => Promise<void> }> => {
  const asked = new Map<string, number>()
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://rows.test")
    const rows = Number(url.searchParams.get("rows") ?? "10")
    if (url.pathname !== "/requests") asked.set(url.pathname, (asked.get(url.pathname) ?? 0) + 1)
    const send = (status: number, type: string, body: string) => {
      response.writeHead(status, { "content-type": type })
      response.end(body)
    }
    switch (url.pathname) {
      case "/requests":
        return send(200, "application/json", JSON.stringify(Object.fromEntries(asked)))
      case "/scores.csv": {
        const lines = scoreCsv(rows).split("\n")
        const broken = Number(url.searchParams.get("broken") ?? "0")
        if (broken > 0) lines[broken] = `c-${broken},0.5`
        return send(200, "text/csv; charset=utf-8", lines.join("\n"))
      }
      case "/scores.json":
        return send(200, "application/json", JSON.stringify(scoreRows(rows)))
      case "/private/scores.json":
        if (request.headers.authorization !== RowsServerAuthorization) return send(401, "text/plain", "unauthorized")
        return send(200, "application/json", JSON.stringify(scoreRows(rows)))
      case "/plain.txt":
        return send(200, "text/plain", "customer_id\nc-1\n")
      case "/not-rows.json":
        return send(200, "application/json", "[1,2,3]")
      default:
        return send(404, "text/plain", "not found")
    }
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error === undefined ? resolve() : reject(error))))
  }
}
