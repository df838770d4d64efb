/**
 * Text from the input (a CSV header, a value, a reason that quotes one) on its way to a terminal.
 * A control character there is an instruction to the terminal, not text: ESC starts a sequence
 * that can recolour, move the cursor, rewrite the title or hide what follows; CR rewrites the
 * line. Every one is shown as an escape instead, the way JSON writes it, so what is printed is
 * what the input holds and nothing else.
 */

// C0 (tab and newline included: printed text keeps one line per item), DEL, C1 (0x80–0x9F: a
// single-byte CSI on some terminals), and the line and paragraph separators.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g

const escapeOne = (char: string): string => {
  switch (char) {
    case "\n":
      return "\\n"
    case "\r":
      return "\\r"
    case "\t":
      return "\\t"
    default:
      return `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`
  }
}

/** Text for the terminal, on one line: every control character as an escape (`\u001b`, `\n`). */
export const terminalText = (text: string): string => text.replace(CONTROL, escapeOne)

// JSON.stringify escapes C0 already; DEL, C1 and the separators it leaves as they are.
// eslint-disable-next-line no-control-regex
const JSON_UNESCAPED = /[\u007f-\u009f\u2028\u2029]/g

/**
 * JSON text for the terminal: the characters JSON.stringify leaves raw that a terminal acts on,
 * as `\u` escapes. Still valid JSON, and it parses to the same values.
 */
export const terminalJson = (json: string): string =>
  json.replace(JSON_UNESCAPED, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`)
