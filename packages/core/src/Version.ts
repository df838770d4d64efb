/** This package's version, sent as `context.library.version`. Kept in step by the release script. */
export const VERSION = "0.1.0"
