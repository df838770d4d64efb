// Secrets on the command line and in the environment, and their removal from debug output.
//
// `DEBUG=*` makes oclif (through the `debug` package) print the command line and the parsed
// flags: a write key or a database password given as a flag would be printed in full. This module
// finds the secrets a process holds (the values of secret flags, passwords in connection URLs, the
// variables that hold keys and passwords) and replaces them in everything `debug` prints, before
// it is printed, whatever the namespace or the flag. Plain JavaScript, loaded by bin/run.js before
// oclif starts; also used by the commands (the warning for a secret passed as a flag).
import { createRequire } from "node:module"
import util from "node:util"

/** Flags whose value is a secret as a whole. */
export const SECRET_FLAGS = ["--write-key", "--password", "--token", "--private-key-passphrase"]

/** Variables whose names say they hold a secret (SEGMENT_WRITE_KEY, PGPASSWORD, MY_API_TOKEN, ...). */
const SECRET_VARIABLE = /KEY|PASSWORD|PASSPHRASE|TOKEN|SECRET|CREDENTIAL|PGPASS/i
/** Variables that may hold a connection URL with a password. */
const URL_VARIABLE = /URL|DSN|URI|CONNECTION/i

const MASK = "[redacted]"
// The password of `scheme://user:password@host`.
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s/?#@:'"]*:)([^\s/?#@'"]+)@/gi
// A secret as a URL or DSN parameter: `?password=...`, `&privateKeyPassphrase=...`, `password=... ` (libpq DSN).
const PARAMETER =
  /((?:^|[?&;\s])(?:password|passwd|pwd|passphrase|privatekeypassphrase|private_key_passphrase|token|secret|writekey|write_key)=)([^&;\s'"]+)/gi

/** The password of a connection URL, or undefined. */
export const urlPassword = (text) => {
  const match = /^[a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*:([^\s/?#@]+)@/i.exec(text)
  return match === null ? undefined : match[1]
}

/**
 * The secret strings of a command line and an environment: values of secret flags (`--write-key
 * X`, `--write-key=X`), passwords in URLs and DSN parameters anywhere on it, and the values of
 * variables whose names say they hold a secret.
 */
export const secretsOf = (args, env) => {
  const found = new Set()
  const add = (value) => {
    if (typeof value === "string" && value !== "") found.add(value)
  }
  const fromText = (text) => {
    for (const match of text.matchAll(URL_PASSWORD)) add(match[2])
    for (const match of text.matchAll(PARAMETER)) add(match[2])
  }
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]
    if (typeof arg !== "string") continue
    const equals = arg.indexOf("=")
    const flag = arg.startsWith("--") && equals > 0 ? arg.slice(0, equals) : arg
    if (SECRET_FLAGS.includes(flag)) add(equals > 0 && flag !== arg ? arg.slice(equals + 1) : args[i + 1])
    fromText(arg)
  }
  for (const [name, value] of Object.entries(env)) {
    if (typeof value !== "string" || value === "") continue
    if (SECRET_VARIABLE.test(name)) add(value)
    if (URL_VARIABLE.test(name) || value.includes("://")) fromText(value)
  }
  const forms = new Set()
  for (const secret of found) {
    // Short values would mask common text (a key "a" would blank every "a"); they stay whole
    // elements only, matched exactly by redactValue.
    forms.add(secret)
    forms.add(JSON.stringify(secret).slice(1, -1))
    forms.add(util.inspect(secret).slice(1, -1))
    try {
      forms.add(encodeURIComponent(secret))
      forms.add(decodeURIComponent(secret))
    } catch {
      // Not URI-encoded text: its raw form is enough.
    }
  }
  return [...forms].filter((form) => form !== "").sort((a, b) => b.length - a.length)
}

/** Text with every secret, and every URL or DSN password, replaced by "[redacted]". */
export const redactText = (text, secrets) => {
  let result = text
  for (const secret of secrets) {
    if (secret.length >= 4 && result.includes(secret)) result = result.split(secret).join(MASK)
  }
  return result.replace(URL_PASSWORD, `$1${MASK}@`).replace(PARAMETER, `$1${MASK}`)
}

/** A value about to be printed, with its strings redacted (arrays and plain objects, a few levels down). */
export const redactValue = (value, secrets, depth = 0, seen = new WeakSet()) => {
  if (typeof value === "string") return secrets.includes(value) ? MASK : redactText(value, secrets)
  if (depth > 6 || value === null || typeof value !== "object" || seen.has(value)) return value
  seen.add(value)
  if (Array.isArray(value)) return value.map((item) => redactValue(item, secrets, depth + 1, seen))
  const prototype = Object.getPrototypeOf(value)
  if (prototype !== Object.prototype && prototype !== null) return value
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactValue(item, secrets, depth + 1, seen)]))
}

/**
 * Makes the `debug` package that oclif uses redact before it prints: its %o/%O formatters get
 * redacted values, and its output line is redacted as text (what %s and the message hold).
 * `resolveFrom`: a file of the package that depends on `debug` (@oclif/core), so that the very
 * instance oclif loads is the one changed.
 */
export const redactDebugOutput = (resolveFrom, args, env) => {
  const require = createRequire(resolveFrom)
  let debug
  try {
    // biome-ignore lint/correctness/noUndeclaredDependencies: deliberate: oclif's own `debug` (its dependency, resolved from @oclif/core), patched in place; the CLI declares none of its own
    debug = require("debug")
  } catch {
    return false
  }
  const secrets = secretsOf(args, env)
  for (const name of ["o", "O"]) {
    const format = debug.formatters[name]
    if (typeof format === "function") {
      debug.formatters[name] = function (value) {
        return format.call(this, redactValue(value, secrets))
      }
    }
  }
  const log = debug.log
  debug.log = (...logArgs) => {
    const text = util.formatWithOptions(debug.inspectOpts ?? {}, ...logArgs.map((arg) => redactValue(arg, secrets)))
    return process.stderr.write(`${redactText(text, secrets)}\n`)
  }
  debug.log.original = log
  return true
}
