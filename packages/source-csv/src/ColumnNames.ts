/** Finds the names that are empty or repeated, for a message that names them. */
export const columnNameProblems = (names: ReadonlyArray<string>): Array<string> => {
  const problems: Array<string> = []
  const seen = new Map<string, number>()
  names.forEach((name, index) => {
    if (name === "") problems.push(`column ${index + 1} has an empty name`)
    // A row's values are a plain object, where this name would set the prototype instead of a key.
    if (name === "__proto__") problems.push(`column ${index + 1} cannot be named "__proto__"`)
    const first = seen.get(name)
    if (first === undefined) seen.set(name, index)
    else if (name !== "") problems.push(`"${name}" names both column ${first + 1} and column ${index + 1}`)
  })
  return problems
}
