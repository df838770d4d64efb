// A connection URL's user-info part: postgres://user:password@host → postgres://user:***@host
// (snowflake://user:password@account likewise).
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):[^@/?#\s]*@/gi

/**
 * Removes URL passwords and the given secrets (4 characters or more) from a text. Every message a
 * source builds from a driver's words passes through it, so a password never leaves in an error.
 */
export const scrubSecrets = (text: string, secrets: ReadonlyArray<string>): string => {
  let scrubbed = text.replace(URL_PASSWORD, "$1:***@")
  for (const secret of secrets) {
    if (secret.length >= 4) scrubbed = scrubbed.replaceAll(secret, "***")
  }
  return scrubbed
}
