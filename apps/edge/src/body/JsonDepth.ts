/**
 * Whether a parsed JSON value nests deeper than `max` levels (the value itself is level 1 when it
 * is an object or array). Walks with its own stack, so no depth can overflow the call stack.
 */
export const nestsDeeperThan = (value: unknown, max: number): boolean => {
  const stack: Array<{ readonly value: unknown; readonly depth: number }> = [{ value, depth: 1 }]
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop()!
    if (typeof current !== "object" || current === null) continue
    if (depth > max) return true
    for (const child of Array.isArray(current) ? current : Object.values(current)) {
      if (typeof child === "object" && child !== null) stack.push({ value: child, depth: depth + 1 })
    }
  }
  return false
}
