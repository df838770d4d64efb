/** A count given on the command line ("1,000,000" and "1_000_000" read as 1000000), or the fallback. */
export const count = (text: string | undefined, fallback: number): number => {
  if (text === undefined) return fallback
  const value = Number(text.replaceAll("_", "").replaceAll(",", ""))
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`not a count: ${text}`)
  return value
}
