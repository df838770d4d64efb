// tablecast as a library: the same composition the CLI makes (a source, the Node Segment
// transport, Sync.run), for the sources the CLI does not read yet (Postgres) and to see what the
// CLI itself costs. Usage:
//   tablecastLibrary.js csv FILE.csv ENDPOINT [default|bulk]
//   tablecastLibrary.js postgres TABLE ENDPOINT [default|bulk]      (connection from PG* variables)
// Prints the delivery report as JSON.
import { PipelineOptions, RejectSink, type RowSource, type SourceError, Sync, SyncSpec } from "@tablecast/core"
import { SegmentTransport } from "@tablecast/segment"
import { CsvSource } from "@tablecast/source-csv"
import * as PostgresSource from "@tablecast/source-postgres"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { mapping } from "../Dataset.ts"
import { settingsFor } from "../Settings.ts"

const [kind, target, endpoint, settings = "default"] = process.argv.slice(2)
if ((kind !== "csv" && kind !== "postgres") || target === undefined || endpoint === undefined) {
  throw new Error("usage: tablecastLibrary.js csv|postgres FILE|TABLE ENDPOINT [default|bulk]")
}

const source: Layer.Layer<RowSource, SourceError> = kind === "csv" ? CsvSource.layer({ path: target }) : PostgresSource.layer({ table: target })
const layer = Layer.mergeAll(source, SegmentTransport.layer({ endpoint, writeKey: Redacted.make("bench-write-key") }), RejectSink.discard)
const spec = SyncSpec.parse({ ...mapping, type: "track" })
// BENCH_PIPELINE='{"queueCapacity":2500}' tries other pipeline options on top of the settings.
const overrides = JSON.parse(process.env["BENCH_PIPELINE"] ?? "{}") as Record<string, unknown>
const options = PipelineOptions.parse({ ...settingsFor(settings), ...overrides })
const report = await Effect.runPromise(Sync.run({ spec, options }).pipe(Effect.provide(layer)))
process.stdout.write(`${JSON.stringify(report)}\n`)
