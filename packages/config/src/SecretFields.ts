import { fieldError } from "./ConfigError.ts"

export { urlHoldsPassword } from "@tablecast/core"

/**
 * Secrets never sit in a config file: a source names the variables that hold them instead
 * (`passwordEnv`, `urlEnv`), or reads its driver's usual variables (PG*, SNOWFLAKE_*).
 */
export const refuseSecrets = (raw: Record<string, unknown>, where: string, fields: ReadonlyArray<string>): void => {
  for (const field of fields) {
    if (field in raw) {
      throw fieldError(
        `${where}.${field}`,
        `secrets do not belong in a config file; put it in an environment variable and name it with ${field}Env (or use the driver's usual variables)`
      )
    }
  }
}
