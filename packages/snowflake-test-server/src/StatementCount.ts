/**
 * How many statements a request's SQL text holds, as Snowflake counts them for
 * MULTI_STATEMENT_COUNT: `;`-separated, ignoring `;` inside '…' strings (where a backslash
 * escapes), "…" identifiers, $$ … $$ bodies and comments (`--`, `//`, `/* *\/`); blank statements
 * (a trailing `;`, a comment alone) do not count. Written apart from the source's own check, so
 * that a test through this server does not trust the code it tests.
 */
export const countStatements = (sql: string): number => {
  let count = 0
  let content = false
  let index = 0
  const closeStatement = () => {
    if (content) count++
    content = false
  }
  while (index < sql.length) {
    const char = sql[index]!
    const two = sql.slice(index, index + 2)
    if (two === "--" || two === "//") {
      const newline = sql.indexOf("\n", index)
      index = newline === -1 ? sql.length : newline + 1
    } else if (two === "/*") {
      const close = sql.indexOf("*/", index + 2)
      index = close === -1 ? sql.length : close + 2
    } else if (two === "$$") {
      content = true
      const close = sql.indexOf("$$", index + 2)
      index = close === -1 ? sql.length : close + 2
    } else if (char === "'" || char === '"') {
      content = true
      index++
      while (index < sql.length) {
        if (char === "'" && sql[index] === "\\") index += 2
        else if (sql[index] === char && sql[index + 1] === char) index += 2
        else if (sql[index] === char) {
          index++
          break
        } else index++
      }
    } else if (char === ";") {
      closeStatement()
      index++
    } else {
      if (!/\s/u.test(char)) content = true
      index++
    }
  }
  closeStatement()
  return count
}

/**
 * Snowflake's answer to a request whose statement count is not the one asked for (the statement's
 * MULTI_STATEMENT_COUNT parameter, else the session's, else the default 1; 0 means any), or
 * undefined when the count is right.
 */
export const statementCountError = (sql: string, wanted: unknown): { code: string; sqlState: string; message: string } | undefined => {
  const desired = wanted === undefined || wanted === null ? 1 : Number(wanted)
  const actual = countStatements(sql)
  if (desired === 0 || (actual <= 1 && desired === 1)) return undefined
  if (actual === desired) return undefined
  return { code: "000008", sqlState: "0A000", message: `Actual statement count ${actual} did not match the desired statement count ${desired}.` }
}
