// @tablecast/source-bigquery as published, with the @google-cloud/bigquery client npm installed
// for it: a throwaway service account signs its token request, and a small BigQuery REST stand-in
// on loopback (this script's own, the repository's test server is not published) answers the
// token exchange, the dry run, the query job and two results pages; the rows go through the
// Effect API and @tablecast/segment to the receiver the install check started
// (TABLECAST_TEST_ENDPOINT). Exits 0 when the receiver got every row, 1 with a message otherwise.
import { generateKeyPairSync } from "node:crypto"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import http from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { PipelineOptions, RejectSink, Sync, SyncSpec } from "@tablecast/core"
import { SegmentTransport } from "@tablecast/segment"
import * as BigQuerySource from "@tablecast/source-bigquery"
import { Effect, Layer, Redacted } from "effect"

const endpoint = process.env.TABLECAST_TEST_ENDPOINT
if (endpoint === undefined || endpoint === "") {
  console.error("library-bigquery: set TABLECAST_TEST_ENDPOINT to a receiver's base URL (tablecast sink)")
  process.exit(1)
}

const rowCount = 20
const rows = Array.from({ length: rowCount }, (_, i) => ({ f: [{ v: `bq-${i + 1}` }, { v: "123456789.123456789" }] }))
const schema = {
  fields: [
    { name: "customer_id", type: "STRING", mode: "NULLABLE" },
    { name: "ltv", type: "NUMERIC", mode: "NULLABLE" }
  ]
}
const seen = { token: 0, dryRun: 0, job: 0, pages: 0 }
const json = (response, body) => {
  response.writeHead(200, { "content-type": "application/json" })
  response.end(JSON.stringify(body))
}
const server = http.createServer((request, response) => {
  const url = new URL(request.url, "http://127.0.0.1")
  let body = ""
  request.on("data", (chunk) => (body += chunk))
  request.on("end", () => {
    if (url.pathname === "/token") {
      seen.token++
      return json(response, { access_token: "install-check-token", expires_in: 3599, token_type: "Bearer" })
    }
    if (request.headers.authorization !== "Bearer install-check-token") {
      response.writeHead(401)
      return response.end()
    }
    const reference = { projectId: "install-check", jobId: "job-1", location: "EU" }
    if (url.pathname.endsWith("/jobs") && request.method === "POST") {
      const dryRun = JSON.parse(body).configuration?.dryRun === true
      if (dryRun) seen.dryRun++
      else seen.job++
      const statistics = { totalBytesProcessed: "1024", query: { statementType: "SELECT", totalBytesProcessed: "1024", schema } }
      return json(response, { jobReference: reference, status: { state: "DONE" }, statistics })
    }
    if (/\/queries\/[^/]+$/.test(url.pathname)) {
      seen.pages++
      const second = url.searchParams.get("pageToken") === "2"
      const page = second ? rows.slice(10) : rows.slice(0, 10)
      return json(response, {
        jobReference: reference,
        jobComplete: true,
        schema,
        totalRows: String(rowCount),
        rows: page,
        ...(second ? {} : { pageToken: "2" })
      })
    }
    response.writeHead(404)
    response.end()
  })
})
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve))
const apiEndpoint = `http://127.0.0.1:${server.address().port}`
const folder = mkdtempSync(join(tmpdir(), "tablecast-library-bigquery-"))
const keyFile = join(folder, "key.json")
const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 })
writeFileSync(
  keyFile,
  JSON.stringify({
    type: "service_account",
    project_id: "install-check",
    private_key: privateKey.export({ format: "pem", type: "pkcs8" }),
    client_email: "sync@install-check.iam.gserviceaccount.com",
    token_uri: `${apiEndpoint}/token`
  })
)

const acceptedByReceiver = async () => {
  const answer = await fetch(`${endpoint}/stats`)
  if (!answer.ok) throw new Error(`GET ${endpoint}/stats answered ${answer.status}`)
  return (await answer.json()).messagesAccepted
}

try {
  const before = await acceptedByReceiver()
  const source = BigQuerySource.layer(
    { table: "scores.churn", location: "EU", apiEndpoint, pageSize: 10, bigNumbers: "string" },
    { GOOGLE_APPLICATION_CREDENTIALS: keyFile }
  )
  const report = await Effect.runPromise(
    Sync.run({
      spec: SyncSpec.parse({ event: "Library BigQuery Check", customerId: "customer_id" }),
      options: PipelineOptions.parse({ maxRetryMillis: 20_000 })
    }).pipe(Effect.provide(Layer.mergeAll(source, SegmentTransport.layer({ writeKey: Redacted.make("test"), endpoint }), RejectSink.discard)))
  )
  const received = (await acceptedByReceiver()) - before
  const problems = []
  if (report.outcome !== "completed") problems.push(`outcome ${report.outcome}${report.fatal ? ` (${report.fatal.message})` : ""}`)
  if (report.messages.accepted !== rowCount) problems.push(`messages.accepted ${report.messages.accepted}, expected ${rowCount}`)
  if (received !== rowCount) problems.push(`the receiver accepted ${received} messages, expected ${rowCount}`)
  if (seen.token < 1 || seen.dryRun !== 1 || seen.job !== 1 || seen.pages !== 2) problems.push(`the stand-in saw ${JSON.stringify(seen)}`)
  if (problems.length > 0) {
    console.error(`library-bigquery: ${problems.join("; ")}`)
    process.exitCode = 1
  } else {
    console.log(`library-bigquery: ${rowCount} rows of a BigQuery table read in 2 pages through @google-cloud/bigquery and received`)
  }
} finally {
  server.close()
  rmSync(folder, { recursive: true, force: true })
}
