import { exactNumber } from "@tablecast/core"

export { exactNumber }

/**
 * How NUMERIC/DECIMAL and BIGINT values become JSON: `number-if-exact` gives a JSON number only
 * when that number means exactly the decimal the database holds (so `12345678901234567890` and
 * `0.1000000000000000000001` stay strings), `string` always gives the database's text.
 */
export type BigNumbers = "string" | "number-if-exact"

// Any decimal of at most 15 significant digits survives a double exactly: texts this short need
// no check (the usual case: scores, amounts, ids).
const SHORT_DECIMAL = /^-?\d{1,15}(?:\.\d+)?$/

/** A NUMERIC/DECIMAL/BIGINT text as the option asks: a number where exact, else the text itself. */
export const decimalValue = (text: string, bigNumbers: BigNumbers): number | string => {
  if (bigNumbers === "string") return text
  if (text.length <= 16 && SHORT_DECIMAL.test(text)) return Number(text)
  return exactNumber(text) ?? text
}
