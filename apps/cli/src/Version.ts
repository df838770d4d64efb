import { createRequire } from "node:module"

const pkg = createRequire(import.meta.url)("../package.json") as { version: string }

export const VERSION = pkg.version

/** Sent as `context.library` of every message. */
export const CLI_LIBRARY = { name: "tablecast", version: VERSION } as const
