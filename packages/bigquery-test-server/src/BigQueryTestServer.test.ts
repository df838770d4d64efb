import { createSign } from "node:crypto"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type RunningServer, startServer } from "./BigQueryTestServer.ts"
import { makeServiceAccount } from "./ServiceAccountKey.ts"
import { GOOGLE_TOKEN_AUDIENCE } from "./TokenExchange.ts"

const account = makeServiceAccount(mkdtempSync(join(tmpdir(), "bq-server-")), "sync", "proj-test")
let server: RunningServer

beforeAll(async () => {
  server = await startServer({
    projectId: "proj-test",
    serviceAccounts: [{ email: account.email, publicKeyPem: account.publicKeyPem }],
    setup: ["CREATE SCHEMA s", "CREATE TABLE s.t AS SELECT i AS id FROM range(0, 5) r(i)"]
  })
})
afterAll(async () => {
  await server?.close()
})

/** An RS256 assertion as google-auth-library signs one. */
const assertion = (claims: Record<string, unknown>) => {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url")
  const unsigned = `${part({ alg: "RS256", typ: "JWT" })}.${part(claims)}`
  return `${unsigned}.${createSign("RSA-SHA256").update(unsigned).sign(account.privateKeyPem, "base64url")}`
}
const now = () => Math.floor(Date.now() / 1000)
const exchange = (claims: Record<string, unknown>) =>
  fetch(`${server.url}/token`, {
    method: "POST",
    body: new URLSearchParams({ grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion: assertion(claims) })
  })
const valid = () => ({
  iss: account.email,
  aud: GOOGLE_TOKEN_AUDIENCE,
  scope: "https://www.googleapis.com/auth/bigquery",
  iat: now(),
  exp: now() + 3600
})

describe("the BigQuery test server", () => {
  it("trades a signed assertion for a token, and refuses an expired or misaddressed one", async () => {
    expect((await exchange(valid())).status).toBe(200)
    const expired = await exchange({ ...valid(), exp: now() - 1 })
    expect(expired.status).toBe(400)
    expect(((await expired.json()) as { error: string }).error).toBe("invalid_grant")
    expect((await exchange({ ...valid(), aud: "https://elsewhere.example/token" })).status).toBe(400)
  })

  it("answers jobs.query with a first page and jobs.getQueryResults with the next, only with a token", async () => {
    const token = ((await (await exchange(valid())).json()) as { access_token: string }).access_token
    const api = `${server.url}/bigquery/v2/projects/proj-test`
    const unauthenticated = await fetch(`${api}/queries`, { method: "POST", body: JSON.stringify({ query: "SELECT 1" }) })
    expect(unauthenticated.status).toBe(401)
    const headers = { authorization: `Bearer ${token}` }
    const first = (await (
      await fetch(`${api}/queries`, {
        method: "POST",
        headers,
        body: JSON.stringify({ query: "SELECT id FROM `s.t` ORDER BY id", maxResults: 3 })
      })
    ).json()) as {
      jobReference: { jobId: string }
      rows: Array<{ f: Array<{ v: string }> }>
      pageToken: string
      totalRows: string
      schema: unknown
    }
    expect(first.totalRows).toBe("5")
    expect(first.schema).toEqual({ fields: [{ name: "id", type: "INTEGER", mode: "NULLABLE" }] })
    expect(first.rows.map((row) => row.f[0]!.v)).toEqual(["0", "1", "2"])
    const next = (await (
      await fetch(`${api}/queries/${first.jobReference.jobId}?maxResults=3&pageToken=${first.pageToken}`, { headers })
    ).json()) as {
      rows: Array<{ f: Array<{ v: string }> }>
      pageToken?: string
    }
    expect(next.rows.map((row) => row.f[0]!.v)).toEqual(["3", "4"])
    expect(next.pageToken).toBeUndefined()
    const otherProject = await fetch(`${server.url}/bigquery/v2/projects/other/queries`, {
      method: "POST",
      headers,
      body: JSON.stringify({ query: "SELECT 1" })
    })
    expect(otherProject.status).toBe(403)
    expect(((await otherProject.json()) as { error: { errors: Array<{ reason: string }> } }).error.errors[0]!.reason).toBe("accessDenied")
  })
})
