/**
 * How a dialect writes the parts of SQL that may hold a `;` that ends nothing: string literals,
 * quoted identifiers, dollar-quoted bodies and comments.
 */
export interface SqlLexicon {
  /** `'it\'s'`: a backslash escapes the next character in every single-quoted string (Snowflake). */
  readonly backslashInStrings: boolean
  /** `E'it\'s'`: a backslash escapes in `E'…'` strings only (Postgres). */
  readonly escapeStrings: boolean
  /** `$tag$ … $tag$` (Postgres) or only `$$ … $$` (Snowflake). */
  readonly dollarTags: boolean
  /** `/* /* … *\/ *\/` nests (Postgres). */
  readonly nestedComments: boolean
  /** `// comment` runs to the end of the line (Snowflake). */
  readonly slashComments: boolean
}

export const POSTGRES_LEXICON: SqlLexicon = {
  backslashInStrings: false,
  escapeStrings: true,
  dollarTags: true,
  nestedComments: true,
  slashComments: false
}

export const SNOWFLAKE_LEXICON: SqlLexicon = {
  backslashInStrings: true,
  escapeStrings: false,
  dollarTags: false,
  nestedComments: false,
  slashComments: true
}

/** The statements a read may be: they return rows (a data-modifying CTE is left to the read-only transaction). */
export const READ_STATEMENTS: ReadonlyArray<string> = ["SELECT", "WITH", "VALUES", "TABLE"]

export type SingleStatement = { readonly _tag: "Statement"; readonly sql: string } | { readonly _tag: "Refused"; readonly reason: string }

const IDENTIFIER_CHAR = /[\p{L}\p{N}_$]/u
const WORD_START = /[\p{L}_]/u
const SPACE = /\s/u
/** Sticky: matched at `lastIndex`, without copying the rest of the text. */
const WORD = /[\p{L}_][\p{L}\p{N}_$]*/uy
const DOLLAR_TAG = /\$(?:[\p{L}_][\p{L}\p{N}_]*)?\$/uy

const matchAt = (pattern: RegExp, text: string, at: number): string | undefined => {
  pattern.lastIndex = at
  return pattern.exec(text)?.[0]
}

const position = (sql: string, offset: number): string => {
  const before = sql.slice(0, offset)
  const line = before.split("\n").length
  const column = offset - before.lastIndexOf("\n")
  return `line ${line}, column ${column}`
}

const excerpt = (text: string): string => {
  const line = text.trim().split("\n", 1)[0]!.trim()
  const short = line.length > 40 ? `${line.slice(0, 37)}...` : line
  // No control characters from the query reach a terminal.
  return JSON.stringify(short)
}

/**
 * Checks that `sql` is exactly one statement that reads (SELECT, WITH, VALUES or TABLE, maybe
 * inside parentheses), and returns it without its closing `;` and anything after it (blanks and
 * comments only). A `;` inside a string, a quoted identifier, a dollar-quoted body or a comment
 * ends nothing. Unterminated strings and comments are left to the server's parser to report.
 *
 * This is the friendly first line: the drivers also send every statement so that the server
 * itself refuses a second one (Postgres' extended protocol, Snowflake's MULTI_STATEMENT_COUNT).
 */
export const singleStatement = (sql: string, lexicon: SqlLexicon): SingleStatement => {
  const length = sql.length
  let index = 0
  let firstWord: { word: string; at: number } | undefined
  let end: number | undefined
  /** Skips a comment at `index`, if one starts there; true when it did. */
  const skipComment = (): boolean => {
    const first = sql[index]
    if (first !== "-" && first !== "/") return false
    const two = first + (sql[index + 1] ?? "")
    if (two === "--" || (lexicon.slashComments && two === "//")) {
      const newline = sql.indexOf("\n", index)
      index = newline === -1 ? length : newline + 1
      return true
    }
    if (two === "/*") {
      let depth = 1
      index += 2
      while (index < length && depth > 0) {
        if (sql.startsWith("*/", index)) {
          depth--
          index += 2
        } else if (lexicon.nestedComments && sql.startsWith("/*", index)) {
          depth++
          index += 2
        } else index++
      }
      return true
    }
    return false
  }
  const skipQuoted = (quote: string, backslash: boolean) => {
    index++
    while (index < length) {
      const char = sql[index]!
      if (backslash && char === "\\") index += 2
      else if (char === quote) {
        if (sql[index + 1] === quote) index += 2
        else {
          index++
          return
        }
      } else index++
    }
  }
  while (index < length) {
    const char = sql[index]!
    if (SPACE.test(char)) {
      index++
      continue
    }
    if (skipComment()) continue
    if (end !== undefined) {
      if (char === ";") {
        index++
        continue
      }
      return {
        _tag: "Refused",
        reason: `holds more than one statement: ${excerpt(sql.slice(index))} follows the ";" at ${position(sql, end)}`
      }
    }
    if (char === ";") {
      end = index
      index++
      continue
    }
    if (firstWord === undefined && char !== "(") firstWord = { word: matchAt(WORD, sql, index) ?? char, at: index }
    if (char === "'") {
      const previous = sql[index - 1]
      const escaped = lexicon.escapeStrings && (previous === "E" || previous === "e") && !IDENTIFIER_CHAR.test(sql[index - 2] ?? " ")
      skipQuoted("'", lexicon.backslashInStrings || escaped)
      continue
    }
    if (char === '"') {
      skipQuoted('"', false)
      continue
    }
    if (char === "$" && !IDENTIFIER_CHAR.test(sql[index - 1] ?? " ")) {
      const tag = lexicon.dollarTags ? matchAt(DOLLAR_TAG, sql, index) : sql.startsWith("$$", index) ? "$$" : undefined
      if (tag !== undefined) {
        const close = sql.indexOf(tag, index + tag.length)
        index = close === -1 ? length : close + tag.length
        continue
      }
    }
    if (WORD_START.test(char)) {
      // A whole word at once, so that a `$` or a quote inside it starts nothing.
      // `E'…'`: leave the quote to the string rule, which looks back at the prefix.
      index += matchAt(WORD, sql, index)!.length
      continue
    }
    index++
  }
  if (firstWord === undefined) return { _tag: "Refused", reason: "holds no statement" }
  if (!READ_STATEMENTS.includes(firstWord.word.toUpperCase())) {
    return {
      _tag: "Refused",
      reason: `must be a single ${READ_STATEMENTS.slice(0, -1).join(", ")} or ${READ_STATEMENTS.at(-1)} statement, not ${excerpt(firstWord.word)} (${position(sql, firstWord.at)})`
    }
  }
  return { _tag: "Statement", sql: (end === undefined ? sql : sql.slice(0, end)).trimEnd() }
}
