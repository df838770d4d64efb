/**
 * Databricks SQL quotes identifiers with backticks (a backtick inside doubled); DuckDB with double
 * quotes. Rewrites the quoting outside string literals; everything else is passed through, so the
 * test server accepts the SQL the source sends and what the tests write by hand.
 */
export const toDuckDBSql = (sql: string): string => {
  let out = ""
  let index = 0
  while (index < sql.length) {
    const char = sql[index]!
    if (char === "'") {
      const end = literalEnd(sql, index)
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

const literalEnd = (sql: string, start: number): number => {
  let index = start + 1
  while (index < sql.length) {
    if (sql[index] === "'" && sql[index + 1] === "'") index += 2
    else if (sql[index] === "\\") index += 2
    else if (sql[index] === "'") return index + 1
    else index += 1
  }
  return index
}
