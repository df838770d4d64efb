// Bundles the CLI into dist/tablecast.js (what oclif loads: package.json "oclif.commands"), with
// each source (and what only an incremental sync needs) in a chunk of its own beside it,
// dist/chunk-*.js, loaded by the first run that uses it (src/sources/SourceRegistry.ts), and the
// CSV source's worker thread, dist/CsvReaderWorker.js. Why: loaded module by
// module, the CLI's dependency graph (Effect, zod, pg, ...) cost about 0.5 s and 30 MiB before the
// first row was read; bundled and tree-shaken, it loads as one parsed file.
// Everything the CLI runs is in the bundle, so the published package depends on @oclif/core alone.
// Left out: @oclif/core and its plugins (they find their own files at run time), and the warehouse
// drivers snowflake-sdk, pg, @duckdb/node-api (a native engine), @databricks/sql and @google-cloud/bigquery, optional peer
// dependencies that only a Snowflake, Postgres, DuckDB, Databricks or BigQuery user installs (src/sources/Drivers.ts names them
// when missing). pg-cursor, bundled, requires pg/lib/*
// at run time, so it uses the user's pg.
// Source maps are written beside the files (dist/*.map) with no link from the code, and are left
// out of the package (package.json "files"): names are kept, so stack traces stay readable.
import { build } from "esbuild"
import { readdirSync, rmSync } from "node:fs"
import { fileURLToPath } from "node:url"
import path from "node:path"

// What the bundle imports at run time rather than containing (src/BundleChunks.test.ts checks it).
const bundleExternals = ["@oclif/*", "snowflake-sdk", "pg", "@duckdb/node-api", "@databricks/sql", "@google-cloud/bigquery"]

const root = fileURLToPath(new URL("..", import.meta.url))

// @datadog/sketches-js (the run profile's quantile sketch) requires its protobuf encoding, and
// protobufjs, only inside toProto/fromProto, which tablecast never calls: the bundle gets a stub
// that says so, rather than protobufjs, which is not even a dependency of the package.
const sketchProtoStub = {
  name: "sketch-proto-stub",
  setup(build) {
    build.onResolve({ filter: /[\\/]proto[\\/]compiled$/ }, (args) =>
      args.importer.includes(`${path.sep}sketches-js${path.sep}`) ? { path: args.path, namespace: "sketch-proto-stub" } : undefined
    )
    build.onLoad({ filter: /.*/, namespace: "sketch-proto-stub" }, () => ({
      contents: 'throw new Error("tablecast: the DDSketch protobuf encoding is not bundled")',
      loader: "js"
    }))
  }
}
// ES modules have no `require`; bundled CommonJS packages (pg, csv-parse, ...) call it for Node's modules.
const banner = {
  js: "import { createRequire as __tablecastRequire } from 'node:module'; const require = __tablecastRequire(import.meta.url);"
}
// Memory: V8 keeps a module's source text for as long as the module lives. Kept as written (4.1 MB,
// comments included, a few of them not ASCII), the bundle's text took 8 MiB: one non-ASCII
// character makes V8 store the whole text as UTF-16. Without whitespace and comments, and with
// every other character escaped to ASCII, it took 3 MiB (less since, with less code). Names are
// kept (stack traces stay readable; dist/*.map maps them back to the TypeScript).
const common = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node22",
  sourcemap: "external",
  banner,
  logLevel: "warning",
  legalComments: "none",
  minifyWhitespace: true,
  charset: "ascii"
}

// linkedom (the DOM the HTML report's charts are drawn into) tries `require("canvas")` and falls
// back to its own shim when that throws: the report draws SVG only, so the bundle holds a module
// that throws in canvas's place, and the CLI never asks Node for a package it does not ship.
const withoutCanvas = {
  name: "without-canvas",
  setup(build) {
    build.onResolve({ filter: /^canvas$/ }, () => ({ path: "canvas", namespace: "without-canvas" }))
    build.onLoad({ filter: /.*/, namespace: "without-canvas" }, () => ({
      contents: 'throw new Error("canvas is not part of the tablecast CLI")',
      loader: "js"
    }))
  }
}

// The chunks of an earlier build: their names change with their content.
for (const file of readdirSync(path.join(root, "dist"))) if (file.startsWith("chunk-")) rmSync(path.join(root, "dist", file))
// The worker must sit beside the code that starts it: `new URL("./CsvReaderWorker.js", import.meta.url)`,
// so the chunks sit in dist/ too.
const csvSource = fileURLToPath(import.meta.resolve("@tablecast/source-csv"))
await Promise.all([
  build({
    ...common,
    entryPoints: { tablecast: path.join(root, "dist", "commandList.js") },
    outdir: path.join(root, "dist"),
    splitting: true,
    chunkNames: "chunk-[name]-[hash]",
    external: bundleExternals,
    plugins: [withoutCanvas, sketchProtoStub]
  }),
  // Split too: the tracking plan's validator (Ajv), which the worker loads only for a run with a plan, is a chunk of its own.
  build({
    ...common,
    entryPoints: { CsvReaderWorker: path.join(path.dirname(csvSource), "CsvReaderWorker.js") },
    outdir: path.join(root, "dist"),
    splitting: true,
    chunkNames: "chunk-worker-[name]-[hash]"
  })
])
