/**
 * The deepest nesting of arrays and objects a value may have in a message: 64 levels (`[[1]]` is
 * 2). Real data rarely nests past ten; a value nested thousands deep (`[[[[…]]]]` in a JSON column,
 * a Postgres `jsonb`) would overflow the stack of the serializer, so such a value rejects its row
 * with a reason that names the column, before anything tries to write it.
 */
export const MAX_VALUE_DEPTH = 64

/**
 * Containers visited before the check gives up and leaves the value to the serializer: a value of
 * that many parts is far over Segment's 32,000-byte message limit anyway (each part writes at
 * least one byte), so the message check rejects it, and a row that the serializer still cannot
 * write is rejected by the mapper's catch-all.
 */
const MAX_VISITS = 1_000_000

const isLeaf = (value: object): boolean => value instanceof Date || ArrayBuffer.isView(value) || value instanceof ArrayBuffer

/**
 * Whether a value nests arrays and objects deeper than `limit` levels. Iterative, so that the check
 * itself cannot overflow the stack; stops at the first path that goes too deep. Dates, binary data
 * and other values that JSON writes as one token count as leaves.
 */
export const nestsDeeperThan = (value: unknown, limit: number = MAX_VALUE_DEPTH): boolean => {
  if (typeof value !== "object" || value === null || isLeaf(value)) return false
  const nodes: Array<object> = [value]
  const depths: Array<number> = [1]
  let visits = 0
  while (nodes.length > 0) {
    const node = nodes.pop()!
    const depth = depths.pop()!
    if (depth > limit) return true
    if (++visits > MAX_VISITS) return false
    const children: ReadonlyArray<unknown> = Array.isArray(node) ? node : Object.values(node)
    for (const child of children) {
      if (typeof child === "object" && child !== null && !isLeaf(child)) {
        nodes.push(child)
        depths.push(depth + 1)
      }
    }
  }
  return false
}

/** The reason a value too deep for a message gives, without the column (the caller names it). */
export const tooDeepReason = (limit: number = MAX_VALUE_DEPTH): string => `value nested deeper than ${limit} levels`
