import { describe, expect, it } from "vitest"
import { RequestError } from "../RequestError.ts"
import { endlessStream, streamOf, withBytes } from "../testing/bodyStream.ts"
import type { BodyLimits } from "./BodyLimits.ts"
import { MaxJsonDepth } from "./BodyLimits.ts"
import { MaxPlanValues, MaxSpecValues, readJsonBody } from "./JsonBody.ts"

const limits: BodyLimits = { MAX_BODY_BYTES: 20_000_000, MAX_ROWS: 250_000, MAX_CELLS: 1_000_000 }

const read = (body: ReadableStream<Uint8Array>, over: Partial<BodyLimits> = {}) =>
  readJsonBody(body, { contentLength: undefined, limits: { ...limits, ...over } })

const fails = async (body: ReadableStream<Uint8Array>, over: Partial<BodyLimits> = {}): Promise<RequestError> => {
  try {
    await read(body, over)
  } catch (error) {
    if (error instanceof RequestError) return error
    throw error
  }
  throw new Error("expected a RequestError")
}

const spec = { event: "Score", customerId: "id" }

describe("readJsonBody", () => {
  it("reads spec, options and numbered rows, in any order of the fields and any pieces", async () => {
    const text = JSON.stringify({
      rows: [
        { id: "1", s: 0.5, tags: ["a", { b: null }] },
        { id: "2", name: "Zürich 🌍" }
      ],
      options: { dryRun: true },
      spec
    })
    const bytes = new TextEncoder().encode(text)
    const pieces: Array<Uint8Array> = []
    for (let at = 0; at < bytes.length; at += 3) pieces.push(bytes.subarray(at, at + 3))
    const body = await read(streamOf(...pieces))
    expect(body.spec).toEqual(spec)
    expect(body.options).toEqual({ dryRun: true })
    expect(body.rows).toEqual({
      items: [
        { rowNumber: 1, values: { id: "1", s: 0.5, tags: ["a", { b: null }] } },
        { rowNumber: 2, values: { id: "2", name: "Zürich 🌍" } }
      ],
      columns: 3
    })
  })

  it("answers 400 naming the byte offset of invalid UTF-8, never replacing it", async () => {
    const bytes = withBytes(`{"spec":{},"rows":[{"id":"u@@1"}]}`, [0xff])
    const error = await fails(streamOf(bytes))
    expect(error.status).toBe(400)
    expect(error.message).toBe(`body: invalid UTF-8 at byte ${bytes.indexOf(0xff)}`)
  })

  it("answers 400 for nesting past the limit, at its byte offset, without a stack overflow", async () => {
    const deep = `{"spec":{},"rows":[{"id":"1","payload":${"[".repeat(6_000)}${"]".repeat(6_000)}}]}`
    const error = await fails(streamOf(deep))
    expect(error.status).toBe(400)
    const offset = deep.indexOf("[", deep.indexOf("payload")) + MaxJsonDepth - 3
    expect(error.message).toBe(`rows: nested deeper than ${MaxJsonDepth} levels (at byte ${offset})`)
  })

  it("stops at a nesting too deep before the rest of the body is read", async () => {
    const body = endlessStream(`{"spec":${'{"a":'.repeat(MaxJsonDepth)}`, "[".repeat(4_096))
    const error = await fails(body.stream)
    expect(error.message).toMatch(/^spec: nested deeper than/)
    expect(body.pulled()).toBeLessThan(20_000)
  })

  it("stops at the row and the cell limits (413) without reading the rest", async () => {
    const rows = endlessStream(`{"spec":{},"rows":[`, `{"id":"1"},`.repeat(500))
    const rowError = await fails(rows.stream, { MAX_ROWS: 1_000 })
    expect(rowError.status).toBe(413)
    expect(rowError.message).toMatch(/limit of 1000 rows/)
    expect(rows.pulled()).toBeLessThan(40_000)

    const cells = endlessStream(`{"spec":{},"rows":[{"id":"1","list":[`, "0,".repeat(5_000))
    const cellError = await fails(cells.stream, { MAX_CELLS: 20_000 })
    expect(cellError.status).toBe(413)
    expect(cellError.message).toMatch(/limit of 20000 cells/)
    expect(cells.pulled()).toBeLessThan(60_000)
  })

  it("refuses an unknown field, rows that are not objects, and text that is not JSON, at once", async () => {
    expect((await fails(streamOf(`{"spec":{},"junk":[1,2]}`))).message).toMatch(/unknown field "junk"/)
    expect((await fails(streamOf(`{"spec":{},"rows":[{"id":1},3]}`))).message).toBe("rows.1: a row must be a JSON object of column → value")
    expect((await fails(streamOf(`{"spec":{},"rows":{}}`))).message).toBe("rows: must be an array of row objects")
    expect((await fails(streamOf(`[1]`))).message).toMatch(/must be a JSON object/)
    expect((await fails(streamOf(`{"spec":{},"rows":[}`))).message).toMatch(/^body: not valid JSON \(at byte \d+\)/)
    expect((await fails(streamOf(`{"spec":{},"rows":[`))).message).toBe("body: not valid JSON (it ends too early)")
    expect((await fails(streamOf(``))).message).toMatch(/empty/)
  })

  it("stops at a spec that holds more values than any spec needs (400)", async () => {
    const body = endlessStream(`{"spec":{"event":"x","customerId":"id","context":{"list":[`, "1,".repeat(4_096))
    const error = await fails(body.stream)
    expect(error.status).toBe(400)
    expect(error.message).toBe(`spec: more than ${MaxSpecValues} values; a spec and its options are far smaller`)
    expect(body.pulled()).toBeLessThan(100_000)
  })

  it("counts a spec's tracking plan apart: a plan larger than any spec reads, one past its own budget stops (400)", async () => {
    const properties = Object.fromEntries(Array.from({ length: 8_000 }, (_, index) => [`p${index}`, { type: "number" }]))
    const trackingPlan = { rules: [{ type: "TRACK", key: "Score", version: 1, jsonSchema: { properties: { properties: { properties } } } }] }
    const read1 = await read(streamOf(JSON.stringify({ spec: { ...spec, trackingPlan, columns: { a: "number" } }, rows: [{ id: "1" }] })))
    expect(Object.keys((read1.spec as any).trackingPlan.rules[0].jsonSchema.properties.properties.properties)).toHaveLength(8_000)
    // The spec's own values still have their budget, after the plan as before it.
    const after = endlessStream(`{"spec":{"trackingPlan":${JSON.stringify(trackingPlan)},"context":{"list":[`, "1,".repeat(4_096))
    expect((await fails(after.stream)).message).toBe(`spec: more than ${MaxSpecValues} values; a spec and its options are far smaller`)
    const endless = endlessStream(`{"spec":{"event":"x","trackingPlan":{"rules":[`, "1,".repeat(4_096))
    const error = await fails(endless.stream)
    expect(error).toMatchObject({ status: 400, field: "spec.trackingPlan" })
    expect(error.message).toBe(`spec.trackingPlan: more than ${MaxPlanValues} values; give the worker the rules its syncs need`)
  })

  it("stops at the byte limit (413), and refuses a Content-Length over it before reading", async () => {
    const body = endlessStream(`{"spec":{},"rows":[`, `{"id":"1"},`.repeat(500))
    expect((await fails(body.stream, { MAX_BODY_BYTES: 30_000 })).status).toBe(413)
    const untouched = endlessStream("{", "")
    const error = await readJsonBody(untouched.stream, { contentLength: "99999999", limits }).catch((e) => e)
    expect(error.status).toBe(413)
    expect(untouched.pulled()).toBeLessThanOrEqual(1)
  })
})
