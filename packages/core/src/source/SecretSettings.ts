import * as Schema from "effect/Schema"
import * as z from "zod"
import type { SourceEnv } from "./SourceAdapter.ts"

/**
 * A secret given where it does not belong (a config file), or a variable named for one that is
 * not set. The user's input is wrong: apps show the message alone (the CLI exits 2). The message
 * names the field at fault, never the secret.
 */
export class SecretSettingError extends Schema.TaggedError<SecretSettingError>()("SecretSettingError", {
  message: Schema.String
}) {}

export const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name")

/** Whether a connection URL carries a password (`scheme://user:password@host`). */
export const urlHoldsPassword = (url: string): boolean => /^[a-z]+:\/\/[^/@]*:[^/@]*@/i.test(url)

/** Reads a named variable, refusing a name that is set to nothing. */
export const fromEnv = (env: SourceEnv, name: string | undefined, what: string): string | undefined => {
  if (name === undefined) return undefined
  const value = env[name]
  if (value === undefined || value === "") throw new SecretSettingError({ message: `${what}: the environment variable ${name} is not set` })
  return value
}
