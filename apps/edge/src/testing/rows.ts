/** Rows shaped like a model's output: a customer id and a few scores. */
export const scoreRows = (count: number, offset = 0): Array<Record<string, unknown>> =>
  Array.from({ length: count }, (_, index) => ({
    customer_id: `c-${offset + index + 1}`,
    iphone: Math.round((index * 7919) % 1000) / 1000,
    apple_watch: Math.round((index * 104729) % 1000) / 1000,
    segment: index % 3 === 0 ? "high" : "low"
  }))

/** The same rows as CSV text, header first. */
export const scoreCsv = (count: number, offset = 0): string =>
  ["customer_id,iphone,apple_watch,segment"]
    .concat(scoreRows(count, offset).map((row) => `${row.customer_id},${row.iphone},${row.apple_watch},${row.segment}`))
    .join("\n")

export const TestToken = "edge-test-token-0123456789"
