import { ConfigError } from "@tablecast/config"

/**
 * The user's input is wrong: now @tablecast/config's ConfigError (exit code 2, the message
 * alone). This name stays for the CLI's remaining `new UsageError(message)` calls.
 */
export class UsageError extends ConfigError {
  constructor(message: string) {
    super({ message })
  }
}
