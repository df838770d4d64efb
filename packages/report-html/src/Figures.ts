const significant = new Intl.NumberFormat("en-US", { maximumSignificantDigits: 2 })
const whole = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 })
const percent = new Intl.NumberFormat("en-US", { style: "percent", maximumFractionDigits: 1 })

/**
 * A value of a property's distribution, to two significant digits: its quantiles come from a
 * sketch accurate to 1% of the value, so a third digit would be noise.
 */
export const formatValue = (value: number): string => (Number.isFinite(value) ? significant.format(value) : "–")

/** A count, with thousands separators. */
export const formatCount = (count: number): string => whole.format(count)

/** A share (0.25 → "25%"). */
export const formatShare = (share: number): string => percent.format(share)

/** A byte count in the largest unit that keeps it at or over 1. */
export const formatBytes = (bytes: number): string => {
  const units = ["B", "KiB", "MiB", "GiB"]
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit += 1
  }
  return `${unit === 0 ? whole.format(value) : value.toFixed(1)} ${units[unit]}`
}

/** A duration: milliseconds under a second, seconds under a minute, then minutes and seconds. */
export const formatDuration = (millis: number): string => {
  if (millis < 1000) return `${Math.round(millis)} ms`
  if (millis < 60_000) return `${(millis / 1000).toFixed(1)} s`
  const seconds = Math.round(millis / 1000)
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`
}
