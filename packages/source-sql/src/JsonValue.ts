import { exactNumber } from "@tablecast/core"

// Fast path: a JSON text whose numbers all have under 16 significant digits and no exponent
// parses exactly with plain JSON.parse; only other texts pay for the checking reviver.
const MAYBE_INEXACT_NUMBER = /\d[\d.]{15,}|\d[eE]/

/**
 * JSON text (Postgres JSON/JSONB, Snowflake VARIANT/OBJECT/ARRAY) as a nested value. A number that
 * a double would round (or overflow) stays the exact text it was written as, a string, rather than
 * change silently.
 */
export const parseJsonExactly = (text: string): unknown => {
  if (!MAYBE_INEXACT_NUMBER.test(text)) return JSON.parse(text)
  return JSON.parse(text, function (this: unknown, _key: string, value: unknown, context?: { source?: string }) {
    if (typeof value === "number" && context?.source !== undefined && exactNumber(context.source) === undefined) {
      return context.source
    }
    return value
  } as (this: unknown, key: string, value: unknown) => unknown)
}
