/**
 * Databricks SQL quotes identifiers with backticks (a backtick inside doubled); DuckDB with double
 * quotes. Rewrites the quoting outside string literals and DuckDB's own double-quoted names (the
 * tests' set-up SQL); everything else is passed through.
 */
export const toDuckDBSql = (sql: string): string => {
  let out = ""
  let index = 0
  while (index < sql.length) {
    const char = sql[index]!
    if (char === "'" || char === '"') {
      const end = quotedEnd(sql, index, char)
      out += sql.slice(index, end)
      index = end
    } else if (char === "`") {
      let name = ""
      index += 1
      while (index < sql.length) {
        if (sql[index] === "`" && sql[index + 1] === "`") {
          name += "`"
          index += 2
        } else if (sql[index] === "`") {
          index += 1
          break
        } else {
          name += sql[index]
          index += 1
        }
      }
      out += `"${name.replaceAll('"', '""')}"`
    } else {
      out += char
      index += 1
    }
  }
  return out
}

const quotedEnd = (sql: string, start: number, quote: string): number => {
  let index = start + 1
  while (index < sql.length) {
    if (sql[index] === quote && sql[index + 1] === quote) index += 2
    else if (quote === "'" && sql[index] === "\\") index += 2
    else if (sql[index] === quote) return index + 1
    else index += 1
  }
  return index
}
