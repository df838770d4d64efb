// The bare bound: read, parse, map and serialize every row of the CSV file, and send nothing. The
// same parser as tablecast (csv-parse), the same messages (a track call with the scores as numbers,
// the ISO timestamp, context.library and a SHA-256 messageId), measured in UTF-8 bytes and joined
// into batch bodies within Segment's limits (2,500 messages, 475,000 bytes) — the least work any
// sender of these rows must do, written by hand for this one file's columns.
// Prints `{ rows, messages, batches, bytes }` as JSON.
import { hash } from "node:crypto"
import { createReadStream } from "node:fs"
import { Parser } from "csv-parse"
import { mapping } from "../Dataset.ts"

const file = process.argv[2]
if (file === undefined) throw new Error("usage: bare.js FILE.csv")

const namespace = `track:${mapping.event}`
const idPrefix = `${namespace.length}:${namespace}\n`
const tail = `,"context":{"library":{"name":"tablecast","version":"0.1.0"}},"messageId":"`
const batchSize = 2_500
const batchBytes = 475_000
/** `{"batch":[` … `],"sentAt":"2026-05-01T02:00:00.000Z"}` */
const envelopeBytes = 48

let header: ReadonlyArray<string> | undefined
let rows = 0
let batches = 0
let bytes = 0
let pending: Array<string> = []
let pendingBytes = 0

const flush = () => {
  if (pending.length === 0) return
  const body = `{"batch":[${pending.join(",")}],"sentAt":"${new Date().toISOString()}"}`
  bytes += Buffer.byteLength(body)
  batches++
  pending = []
  pendingBytes = 0
}

const onRecord = (fields: Array<string>) => {
  if (header === undefined) {
    header = fields
    return
  }
  rows++
  const properties: Record<string, unknown> = {}
  // Columns 1-10 are the scores, 11 the label; 0 is the id and 12 the timestamp.
  for (let index = 1; index <= 10; index++) properties[header[index]!] = Number(fields[index])
  properties[header[11]!] = fields[11]
  const body = JSON.stringify({
    type: "track",
    userId: fields[0],
    event: mapping.event,
    properties,
    timestamp: new Date(fields[12]!).toISOString()
  })
  const messageId = `tablecast-${hash("sha256", idPrefix + body, "hex").slice(0, 32)}`
  const message = `${body.slice(0, -1)}${tail}${messageId}"}`
  const messageBytes = Buffer.byteLength(message)
  if (envelopeBytes + pendingBytes + messageBytes + 1 > batchBytes) flush()
  pending.push(message)
  pendingBytes += messageBytes + 1
  if (pending.length === batchSize) flush()
}

const parser = new Parser({
  on_record: (fields: Array<string>) => {
    onRecord(fields)
    return null
  }
})
for await (const chunk of createReadStream(file, { highWaterMark: 64 * 1024 })) parser.write(chunk)
await new Promise<void>((resolve) => parser.end(() => resolve()))
flush()
process.stdout.write(`${JSON.stringify({ rows, messages: rows, batches, bytes })}\n`)
