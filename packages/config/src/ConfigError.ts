import * as Schema from "effect/Schema"

/**
 * The user's input is wrong: a flag, a config file, a missing write key. An app shows it as its
 * message alone (no stack): the CLI exits 2. `field` names the config field at fault
 * (`syncs.daily.destination.writeKey`) and `flag` the command-line flag (`key`, without dashes),
 * where there is one. Messages never hold a secret.
 */
export class ConfigError extends Schema.TaggedError<ConfigError>()("ConfigError", {
  message: Schema.String,
  field: Schema.optional(Schema.String),
  flag: Schema.optional(Schema.String)
}) {}

/** A ConfigError about a flag: the message names it (`--key ...`), `flag` carries it. */
export const flagError = (flag: string, message: string): ConfigError => new ConfigError({ message, flag })

/** A ConfigError about a config field: the message starts with it (`field: ...`). */
export const fieldError = (field: string, message: string): ConfigError =>
  new ConfigError({ message: field === "" ? message : `${field}: ${message}`, field })
