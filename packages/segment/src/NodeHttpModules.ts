import { createRequire } from "node:module"

// Required, not imported: `import … from "node:http"` has Node (24.21, at least) build an ES module
// facade of `http` by reading every export, the lazy WebSocket, CloseEvent and MessageEvent
// among them — which loads undici and http2 into the process (about 13 MiB of resident memory, for
// classes a sync never uses). require() returns the CommonJS exports and reads none of them.
const require = createRequire(import.meta.url)

export const http: typeof import("node:http") = require("node:http")
export const https: typeof import("node:https") = require("node:https")
