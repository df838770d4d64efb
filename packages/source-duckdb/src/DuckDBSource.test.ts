import { writeFileSync } from "node:fs"
import path from "node:path"
import type { RowSourceShape, SourceItem } from "@tablecast/core"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { tempFolder, writeWithDuckDB } from "./DuckDBFiles.testkit.ts"
import { make, PAGE_ROWS } from "./DuckDBSource.ts"
import type { DuckDBSourceOptionsInput } from "./DuckDBSourceOptions.ts"

const folder = tempFolder()
const file = (name: string) => path.join(folder.dir, name)

/** The source's description, decided types, and every item it streams. */
const read = (options: DuckDBSourceOptionsInput) =>
  Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const source: RowSourceShape = yield* make(options)
        const columnTypes = yield* source.columnTypes!
        const items: Array<SourceItem> = Array.from(yield* Stream.runCollect(source.rows))
        return { source, columnTypes, items, estimatedRows: yield* source.estimatedRows, fingerprint: yield* source.fingerprint }
      })
    )
  )

const failure = (options: DuckDBSourceOptionsInput) =>
  read(options).then(
    () => expect.unreachable("the read should fail"),
    (error: unknown) => error as { message: string; code: string }
  )

beforeAll(async () => {
  await writeWithDuckDB(
    `COPY (SELECT * FROM (VALUES
       (1, 'c1', 1520.50::DECIMAL(12,2), 12345678901234567890::DECIMAL(38,0), 0.1::DECIMAL(38,10), 9007199254740993::BIGINT, 0.25::DOUBLE,
        TIMESTAMPTZ '2024-01-02 03:04:05.123456+02', TIMESTAMP '2024-01-02 03:04:05', DATE '2024-01-02', [1.5, 2.25]::DECIMAL(5,2)[],
        {'segment': 'vip', 'score': 0.5::DECIMAL(3,2), 'at': TIMESTAMPTZ '2024-05-06 07:08:09+00'}, true, 'x'::BLOB, MAP {'a': 1}),
       (2, 'c2', NULL, 5::DECIMAL(38,0), 2.5::DECIMAL(38,10), 7::BIGINT, 'NaN'::DOUBLE,
        TIMESTAMPTZ '1969-12-31 23:59:59.5+00', NULL, NULL, [], NULL, false, NULL, MAP {})
     ) AS t(id, customer_id, amount, wide, precise, big, score, seen_at, local_at, day, tags, info, vip, raw, counts))
     TO '${file("typed.parquet")}' (FORMAT parquet)`,
    `COPY (SELECT range AS id, 'c' || range AS customer_id, (range % 1000) / 1000 AS score FROM range(10000)) TO '${file("many.parquet")}' (FORMAT parquet)`,
    `COPY (SELECT range AS id, 'c' || range AS customer_id FROM range(3)) TO '${file("part-1.parquet")}' (FORMAT parquet)`,
    `COPY (SELECT range + 3 AS id, 'c' || (range + 3) AS customer_id FROM range(2)) TO '${file("part-2.parquet")}' (FORMAT parquet)`
  )
  writeFileSync(file("scores.ndjson"), '{"customer_id":"c1","score":0.5,"tags":["a"]}\n{"customer_id":"c2","score":1.25,"tags":[]}\n')
  writeFileSync(file("scores.csv"), "customer_id,score\nc1,0.5\nc2,1.25\n")
})
afterAll(() => folder.remove())

const valuesOf = (items: ReadonlyArray<SourceItem>) => items.map((item) => ("values" in item ? item.values : item))

describe("the DuckDB source", () => {
  it("reads a Parquet file with exact types: DECIMAL by the per-column rule, TIMESTAMPTZ as ISO UTC, LIST and STRUCT as JSON", async () => {
    const { items, columnTypes, estimatedRows } = await read({ file: file("typed.parquet"), binary: "hex" })
    expect(estimatedRows).toBe(2)
    expect(valuesOf(items)).toEqual([
      {
        id: 1,
        customer_id: "c1",
        amount: 1520.5,
        // 20 digits: more than a double keeps, so the exact text (the mapping then rejects the row for a number column).
        wide: "12345678901234567890",
        precise: 0.1,
        big: "9007199254740993",
        score: 0.25,
        seen_at: "2024-01-02T01:04:05.123456Z",
        local_at: "2024-01-02T03:04:05.000Z",
        day: "2024-01-02",
        tags: [1.5, 2.25],
        info: { segment: "vip", score: 0.5, at: "2024-05-06T07:08:09.000Z" },
        vip: true,
        raw: "78",
        counts: { a: 1 }
      },
      {
        id: 2,
        customer_id: "c2",
        amount: null,
        wide: 5,
        precise: 2.5,
        big: 7,
        score: "NaN",
        seen_at: "1969-12-31T23:59:59.500Z",
        local_at: null,
        day: null,
        tags: [],
        info: null,
        vip: false,
        raw: null,
        counts: {}
      }
    ])
    expect(columnTypes.amount).toEqual({ type: "number", basis: "declared DECIMAL(12,2)" })
    expect(columnTypes.wide).toMatchObject({ type: "number", basis: "declared DECIMAL(38,0)" })
    expect(columnTypes.wide!.note).toContain("rejects its row")
    expect(columnTypes.seen_at).toEqual({ type: "timestamp", basis: "declared TIMESTAMP WITH TIME ZONE" })
    expect(columnTypes.tags?.type).toBe("array")
    expect(columnTypes.info?.type).toBe("json")
  })

  it("sends big numbers as text when asked (bigNumbers: string)", async () => {
    const { items, columnTypes } = await read({ file: file("typed.parquet"), bigNumbers: "string", binary: "hex" })
    expect(valuesOf(items).map((row) => (row as Record<string, unknown>).amount)).toEqual(["1520.50", null])
    expect(columnTypes.amount?.type).toBe("string")
  })

  it("refuses a BLOB column unless mapped, naming it", async () => {
    const error = await failure({ file: file("typed.parquet") })
    expect(error.message).toContain('column "raw" is binary (BLOB)')
  })

  it("numbers rows across chunks in order, and reads a glob of files", async () => {
    const many = await read({ file: file("many.parquet") })
    expect(many.items).toHaveLength(10_000)
    expect(many.items.map((item) => ("rowNumber" in item ? item.rowNumber : 0))).toEqual(Array.from({ length: 10_000 }, (_, index) => index + 1))
    expect(valuesOf(many.items)[9_999]).toEqual({ id: 9_999, customer_id: "c9999", score: 0.999 })
    const parts = await read({ file: file("part-*.parquet") })
    expect(
      valuesOf(parts.items)
        .map((row) => (row as Record<string, unknown>).id)
        .sort()
    ).toEqual([0, 1, 2, 3, 4])
    expect(parts.estimatedRows).toBe(5)
  })

  it("hands rows on a page of PAGE_ROWS at a time, in the file's order, not a whole 2,048-row chunk", async () => {
    const pages = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const source = yield* make({ file: file("many.parquet") })
          const sizes: Array<number> = []
          const ids: Array<unknown> = []
          yield* Stream.runForEachArray(source.rows, (items) =>
            Effect.sync(() => {
              sizes.push(items.length)
              for (const item of items) ids.push("values" in item ? item.values.id : item)
            })
          )
          return { sizes, ids }
        })
      )
    )
    expect(Math.max(...pages.sizes)).toBe(PAGE_ROWS)
    expect(pages.sizes.reduce((sum, size) => sum + size, 0)).toBe(10_000)
    // Insertion order is kept across chunks and pages: row i of the file is the i-th row handed on.
    expect(pages.ids).toEqual(Array.from({ length: 10_000 }, (_, index) => index))
  })

  it("reads NDJSON and CSV by extension", async () => {
    expect(valuesOf((await read({ file: file("scores.ndjson") })).items)).toEqual([
      { customer_id: "c1", score: 0.5, tags: ["a"] },
      { customer_id: "c2", score: 1.25, tags: [] }
    ])
    expect(valuesOf((await read({ file: file("scores.csv") })).items)).toEqual([
      { customer_id: "c1", score: 0.5 },
      { customer_id: "c2", score: 1.25 }
    ])
  })

  it("runs a query over the named paths", async () => {
    const { items } = await read({
      query: `SELECT customer_id, score * 2 AS doubled FROM '${file("many.parquet")}' WHERE id < 2 ORDER BY id`,
      paths: [folder.dir]
    })
    expect(valuesOf(items)).toEqual([
      { customer_id: "c0", doubled: 0 },
      { customer_id: "c1", doubled: 0.002 }
    ])
  })

  it("refuses a path outside the named ones, a second statement, and a statement that writes", async () => {
    const outside = await failure({ query: "SELECT * FROM read_csv('/etc/passwd')", paths: [folder.dir] })
    expect(outside).toMatchObject({ code: "permission-denied" })
    expect(outside.message).toContain('Cannot access file "/etc/passwd"')
    const file1 = await failure({ query: `SELECT * FROM '${file("scores.csv")}'`, paths: [file("many.parquet")] })
    expect(file1.code).toBe("permission-denied")
    const two = await failure({ query: `SELECT 1; COPY (SELECT 1) TO '${file("out.csv")}'`, paths: [folder.dir] })
    expect(two.message).toContain("holds 2 statements")
    const copy = await failure({ query: `COPY (SELECT 1) TO '${file("out.csv")}'`, paths: [folder.dir] })
    expect(copy.message).toContain("is not a SELECT")
    const attach = await failure({ query: `ATTACH '${file("new.db")}'`, paths: [folder.dir] })
    expect(attach.message).toContain("is not a SELECT")
  })

  it("cannot reach the network or load an extension: remote paths are refused", async () => {
    const remote = await failure({ query: "SELECT * FROM 'https://example.com/scores.parquet'", paths: [folder.dir] })
    expect(remote.code).toBe("permission-denied")
    const settings = await read({
      query: `SELECT current_setting('allowed_directories')::VARCHAR AS dirs, current_setting('allowed_paths')::VARCHAR AS paths,
        current_setting('enable_external_access') AS external, current_setting('autoload_known_extensions') AS autoload,
        current_setting('autoinstall_known_extensions') AS autoinstall, current_setting('lock_configuration') AS locked,
        current_setting('temp_directory') AS spill`,
      paths: [folder.dir, file("scores.csv")]
    })
    expect(valuesOf(settings.items)).toEqual([
      {
        dirs: `[${folder.dir}${path.sep}]`,
        paths: `[${file("scores.csv")}]`,
        external: false,
        autoload: false,
        autoinstall: false,
        locked: true,
        spill: ""
      }
    ])
  })

  it("fingerprints the files: the same data the same print, a changed file another", async () => {
    const first = await read({ file: file("scores.csv") })
    const again = await read({ file: file("scores.csv") })
    expect(again.fingerprint).toBe(first.fingerprint)
    writeFileSync(file("scores.csv"), "customer_id,score\nc1,0.5\nc2,1.5\nc3,2\n")
    const changed = await read({ file: file("scores.csv") })
    expect(changed.fingerprint).not.toBe(first.fingerprint)
  })

  it("needs a format it can tell, and a query's paths", async () => {
    expect((await failure({ file: file("scores.txt") })).message).toContain("cannot tell the format")
    expect((await failure({ query: "SELECT 1" })).message).toContain("a query needs the files or folders it may read")
    expect(await failure({ file: file("absent.parquet") })).toMatchObject({
      code: "not-found",
      message: `DuckDB: cannot read ${file("absent.parquet")}: no such file`
    })
    const unknown = await failure({ query: `SELECT nope FROM '${file("many.parquet")}'`, paths: [folder.dir] })
    expect(unknown.code).toBe("query")
    expect(unknown.message).toMatch(/^DuckDB: checking the query "SELECT nope FROM .*": Binder Error: Referenced column "nope" not found/)
    expect(unknown.message).not.toContain("\n")
  })
})
