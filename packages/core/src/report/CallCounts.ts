/** The messages a run built of each call type. */
export interface CallCounts {
  readonly identify: number
  readonly group: number
  readonly track: number
}

const ORDER = ["track", "identify", "group"] as const

const enUS = (n: number): string => n.toLocaleString("en-US")

/**
 * `1,200 identify, 1,200 group`: the messages of each call type, for a run that built more than one
 * type (a single type is all of `built` already); undefined otherwise.
 */
export const callCountsText = (calls: CallCounts | undefined, format: (n: number) => string = enUS): string | undefined => {
  if (calls === undefined) return undefined
  const built = ORDER.filter((call) => calls[call] > 0)
  return built.length < 2 ? undefined : built.map((call) => `${format(calls[call])} ${call}`).join(", ")
}
