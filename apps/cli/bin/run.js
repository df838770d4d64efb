#!/usr/bin/env node
// The Node version is checked first (nodeGuard.js: one line and exit code 12 on a Node older than
// 22.15); only then is the CLI loaded (start.js), whose modules need a newer Node.
import { exitUnlessNodeSupported } from "./nodeGuard.js"

exitUnlessNodeSupported()
// Not awaited (top-level await is newer than the guard's floor); a failure to load still ends the process with its error.
import("./start.js")
