/**
 * The user's input is wrong: a flag, a config file, a missing write key. Shown as its message
 * alone (no stack), exit code 2. Messages name the flag or field at fault and never hold a secret.
 */
export class UsageError extends Error {
  override readonly name = "UsageError"
}
