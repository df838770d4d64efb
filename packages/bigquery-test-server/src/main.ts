import { serveInChildProcess } from "@tablecast/test-server-process"
import { type BigQueryTestServerConfig, startServer } from "./BigQueryTestServer.ts"

// Child-process entry of the test server: running it in its own process keeps its DuckDB and its
// pages out of the memory figures of the process under test.
serveInChildProcess<BigQueryTestServerConfig>(startServer)
