import type { EdgeConfig } from "./EdgeConfig.ts"
import type { Logger } from "./Log.ts"

export interface EdgeVariables {
  config: EdgeConfig
  log: Logger
  requestId: string
}

/** The Hono environment of the edge's app: bindings typed as `object` (each platform narrows them). */
export interface AppEnv {
  Bindings: object
  Variables: EdgeVariables
}
