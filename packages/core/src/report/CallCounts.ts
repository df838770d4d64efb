/** The messages a run built of each call type. */
export interface CallCounts {
  readonly identify: number
  readonly group: number
  readonly track: number
}

/** The order a row's calls go: the user is known before the account, and both before the event. */
const ORDER = ["identify", "group", "track"] as const

const enUS = (n: number): string => n.toLocaleString("en-US")

/**
 * `1,200 identify, 1,200 group`: the messages of each call type that has any, in the order a row's
 * calls go; undefined when none has any, or with `mixedOnly` when fewer than two have (a single
 * type's count is the run's `built` already).
 */
export const callCountsText = (
  calls: CallCounts | undefined,
  options: { readonly format?: (n: number) => string; readonly mixedOnly?: boolean } = {}
): string | undefined => {
  if (calls === undefined) return undefined
  const format = options.format ?? enUS
  const built = ORDER.filter((call) => calls[call] > 0)
  if (built.length < (options.mixedOnly === true ? 2 : 1)) return undefined
  return built.map((call) => `${format(calls[call])} ${call}`).join(", ")
}
