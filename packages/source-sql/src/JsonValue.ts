import { exactNumber } from "@tablecast/core"
import { nestsDeeperThan } from "@tablecast/core/mapper"

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
  try {
    return parseWithReviver(text)
  } catch (error) {
    // The reviver walks the value recursively, so a value nested thousands deep overflows it. Parsed
    // plainly (without recursion), such a value is too deep to send anyway: the mapping rejects its
    // row with the reason, so its numbers' exactness no longer matters.
    if (error instanceof RangeError) {
      const plain: unknown = JSON.parse(text)
      if (nestsDeeperThan(plain)) return plain
    }
    throw error
  }
}

const parseWithReviver = (text: string): unknown =>
  JSON.parse(text, function (this: unknown, _key: string, value: unknown, context?: { source?: string }) {
    if (typeof value === "number" && context?.source !== undefined && exactNumber(context.source) === undefined) {
      return context.source
    }
    return value
  } as (this: unknown, key: string, value: unknown) => unknown)
