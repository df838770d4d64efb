// Which two items of an array Ajv names when `uniqueItems` fails, found as Ajv's generated code finds
// them, so that the interpreting checker words the violation alike: `(items ## j and i are identical)`.

const scalarTypes = new Set(["string", "number", "integer", "boolean", "null"])

const typeMatches = (item: unknown, type: string): boolean => {
  if (type === "null") return item === null
  if (type === "integer") return typeof item === "number" && Number.isInteger(item)
  return typeof item === type
}

/** Structural equality of JSON values (fast-deep-equal's, which Ajv uses). */
const equal = (a: unknown, b: unknown): boolean => {
  if (a === b) return true
  // JSON values hold no NaN: values that are not both containers are equal only when identical.
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, index) => equal(item, b[index]))
  const keysA = Object.keys(a)
  const keysB = Object.keys(b)
  return keysA.length === keysB.length && keysA.every((key) => Object.hasOwn(b, key) && equal((a as never)[key], (b as never)[key]))
}

/**
 * The pair Ajv reports for an array with duplicate items, `items` being the array schema's `items`: with
 * scalar item types, the last item whose value occurred later (`j` the later one); otherwise the first
 * pair met scanning from the end. Undefined when the items are unique.
 */
export const duplicatePair = (array: ReadonlyArray<unknown>, items: unknown): { readonly i: number; readonly j: number } | undefined => {
  const declared = typeof items === "object" && items !== null && !Array.isArray(items) ? (items as { type?: unknown }).type : undefined
  const types = declared === undefined ? [] : Array.isArray(declared) ? declared.map(String) : [String(declared)]
  if (types.length > 0 && types.every((type) => scalarTypes.has(type))) {
    const seen = new Map<unknown, number>()
    for (let i = array.length - 1; i >= 0; i--) {
      let item = array[i]
      if (!types.some((type) => typeMatches(item, type))) continue
      // Ajv keys its index by the value as an object key: "1" and 1 differ only when several types are allowed.
      item = types.length > 1 && typeof item === "string" ? `${item}_` : String(item)
      const j = seen.get(item)
      if (j !== undefined) return { i, j }
      seen.set(item, i)
    }
    return undefined
  }
  for (let i = array.length - 1; i >= 0; i--) for (let j = i - 1; j >= 0; j--) if (equal(array[i], array[j])) return { i, j }
  return undefined
}
