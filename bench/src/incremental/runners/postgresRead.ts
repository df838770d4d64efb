// The bare read of a Postgres table or query through tablecast's own source package: every row
// read, converted and counted, nothing mapped or sent. What an incremental run on the Postgres
// source cannot avoid when the diff is made on the client. Usage (connection from PG* variables):
//   postgresRead.js table SCHEMA.TABLE
//   postgresRead.js query "SELECT ..."
// Prints {"rows": N, "seconds": S} (S: from the first query to the last row, start-up excluded).
import { RowSource } from "@tablecast/core"
import * as PostgresSource from "@tablecast/source-postgres"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

const [kind, target] = process.argv.slice(2)
if ((kind !== "table" && kind !== "query") || target === undefined) throw new Error("usage: postgresRead.js table|query TARGET")

const started = performance.now()
const rows = await Effect.runPromise(
  Effect.gen(function* () {
    const source = yield* RowSource
    let count = 0
    yield* Stream.runForEachArray(source.rows, (items) =>
      Effect.sync(() => {
        count += items.length
      })
    )
    return count
  }).pipe(Effect.provide(PostgresSource.layer(kind === "table" ? { table: target } : { query: target })))
)
process.stdout.write(`${JSON.stringify({ rows, seconds: (performance.now() - started) / 1000 })}\n`)
