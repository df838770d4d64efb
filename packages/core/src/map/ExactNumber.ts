/** A decimal in canonical form: sign, significant digits with no leading/trailing zeros, exponent. */
interface Decimal {
  readonly negative: boolean
  readonly digits: string
  readonly exponent: number
}

const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/

const canonical = (text: string): Decimal | undefined => {
  const match = DECIMAL_TEXT.exec(text.trim())
  if (match === null) return undefined
  const [, sign = "", whole = "", fraction = "", exponentText = "0"] = match
  if (whole === "" && fraction === "") return undefined
  const all = whole + fraction
  let exponent = Number(exponentText) - fraction.length
  const leading = all.search(/[1-9]/)
  if (leading === -1) return { negative: false, digits: "0", exponent: 0 }
  let digits = all.slice(leading)
  const trailing = /0+$/.exec(digits)
  if (trailing !== null) {
    digits = digits.slice(0, digits.length - trailing[0].length)
    exponent += trailing[0].length
  }
  return { negative: sign === "-", digits, exponent }
}

const sameDecimal = (a: Decimal, b: Decimal): boolean => a.negative === b.negative && a.digits === b.digits && a.exponent === b.exponent

// Any decimal of at most 15 significant digits survives a double exactly: texts this short (16
// characters at most, so at most 15 digits) need no check — the usual case: scores, amounts, ids.
const SHORT_DECIMAL = /^-?\d{1,15}(?:\.\d+)?$/

/**
 * The JSON number a decimal text means, when JSON can carry it exactly (the shortest form of the
 * nearest double reads back as the same decimal: `"210.00"` is 210, `"0.1"` is 0.1); otherwise
 * undefined (`"12345678901234567890"`, `"0.1000000000000000000001"`, `"1e400"`, `"abc"`).
 */
export const exactNumber = (text: string): number | undefined => {
  if (text.length <= 16 && SHORT_DECIMAL.test(text)) {
    const value = Number(text)
    return Object.is(value, -0) ? 0 : value
  }
  const wanted = canonical(text)
  if (wanted === undefined) return undefined
  const value = Number(text.trim())
  if (!Number.isFinite(value)) return undefined
  const got = canonical(String(value))
  return got !== undefined && sameDecimal(wanted, got) ? (Object.is(value, -0) ? 0 : value) : undefined
}
