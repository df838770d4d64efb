/** Sent as `context.library.version` (with the name `tablecast-edge`); kept in step with package.json. */
export const version = "0.1.0"
