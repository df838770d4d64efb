/**
 * GoogleSQL as DuckDB reads it, for the queries the tests send: a backquoted path
 * (`` `project.dataset.table` ``, `` `dataset.table` ``, `` `dataset`.`table` ``) becomes the
 * DuckDB schema-qualified name `"dataset"."table"` (the project is the server's one).
 * The tables named are returned too (`dataset.table`), for the access checks.
 */
export const translateSql = (sql: string): { readonly sql: string; readonly tables: ReadonlyArray<string> } => {
  const tables: Array<string> = []
  let out = ""
  let index = 0
  while (index < sql.length) {
    const char = sql[index]!
    if (char === "'" || char === '"') {
      // A string literal is copied as it is (GoogleSQL escapes with a backslash).
      let end = index + 1
      while (end < sql.length && sql[end] !== char) end += sql[end] === "\\" ? 2 : 1
      out += sql.slice(index, end + 1)
      index = end + 1
      continue
    }
    if (char === "`") {
      // One path, possibly in several backquoted parts joined by dots.
      const parts: Array<string> = []
      let end = index
      while (sql[end] === "`") {
        const close = sql.indexOf("`", end + 1)
        if (close === -1) throw new Error("unterminated backquote")
        parts.push(...sql.slice(end + 1, close).split("."))
        end = close + 1
        if (sql[end] === "." && sql[end + 1] === "`") end += 1
        else break
      }
      const named = parts.length === 3 ? parts.slice(1) : parts
      if (named.length === 2) tables.push(named.join("."))
      out += named.map((part) => `"${part.replaceAll('"', '""')}"`).join(".")
      index = end
      continue
    }
    out += char
    index++
  }
  return { sql: out, tables }
}
