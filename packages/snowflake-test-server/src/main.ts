import { serveInChildProcess } from "@tablecast/test-server-process"
import { type SnowflakeTestServerConfig, startServer } from "./SnowflakeTestServer.ts"

// Child-process entry of the test server: running it in its own process keeps its work out of the
// memory figures of the process under test.
serveInChildProcess<SnowflakeTestServerConfig>(startServer)
