/**
 * Whole epoch seconds and their sub-second fraction (`fractionDigits` digits: 6 for microseconds,
 * 9 for nanoseconds) as ISO-8601 UTC, keeping every fraction digit there is and at least
 * milliseconds: `2024-01-02T03:04:05.123456Z`, `2024-01-02T03:04:05.500Z`. The warehouses' exact
 * timestamps all go out in this one form.
 */
export const isoUtc = (epochSeconds: number, fraction: bigint | number, fractionDigits: number): string => {
  const iso = new Date(epochSeconds * 1000).toISOString() // ...T03:04:05.000Z
  const digits = String(fraction).padStart(fractionDigits, "0").replace(/0+$/, "").padEnd(3, "0")
  return `${iso.slice(0, iso.length - 4)}${digits}Z`
}

const MICROS = 1_000_000n

/** Microseconds since the epoch (before 1970: negative) as `isoUtc` writes them. */
export const isoFromMicros = (micros: bigint): string => {
  let seconds = micros / MICROS
  let fraction = micros % MICROS
  if (fraction < 0n) {
    seconds -= 1n
    fraction += MICROS
  }
  return isoUtc(Number(seconds), fraction, 6)
}
