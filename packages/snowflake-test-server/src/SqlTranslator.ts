/**
 * Turns the Snowflake SQL that tablecast and its tests send into PostgreSQL, for the few
 * Snowflake-isms they use. Not a Snowflake parser: a scanner that leaves string literals and
 * comments alone and rewrites, in code only,
 *
 * - `"UPPER_CASE"` quoted identifiers to lower case (Snowflake folds unquoted names up, Postgres
 *   down: a table created as `orders` in Postgres is `"ORDERS"` to Snowflake);
 * - `?` and `:1` bind markers to `$1`;
 * - functions: PARSE_JSON, OBJECT_CONSTRUCT, ARRAY_CONSTRUCT, TO_TIMESTAMP_TZ/NTZ/LTZ, TO_BINARY,
 *   SYSTEM$WAIT, and INFORMATION_SCHEMA.TABLES (emulated by views in the `sf` schema);
 * - casts: ::VARIANT, ::TIMESTAMP_NTZ, ::TIMESTAMP_LTZ, ::NUMBER, ::STRING, ::VARCHAR.
 */

interface Region {
  readonly code: boolean
  readonly text: string
}

/**
 * Where the string literal or quoted identifier opening at `start` ends (just past its closing
 * quote; a doubled quote inside is part of it), or the end of the SQL when it is never closed.
 */
const quotedEnd = (sql: string, start: number): number => {
  const quote = sql[start]!
  let end = start + 1
  for (;;) {
    const close = sql.indexOf(quote, end)
    if (close === -1) return sql.length
    if (sql[close + 1] !== quote) return close + 1
    end = close + 2
  }
}

/** Splits SQL into code and non-code (string literals, quoted identifiers, comments). */
const regions = (sql: string): Array<Region> => {
  const out: Array<Region> = []
  let start = 0
  let index = 0
  const pushCode = (end: number) => {
    if (end > start) out.push({ code: true, text: sql.slice(start, end) })
  }
  while (index < sql.length) {
    const char = sql[index]!
    const next = sql[index + 1]
    let end = -1
    if (char === "'" || char === '"') {
      end = quotedEnd(sql, index)
    } else if (char === "-" && next === "-") {
      const close = sql.indexOf("\n", index)
      end = close === -1 ? sql.length : close
    } else if (char === "/" && next === "*") {
      const close = sql.indexOf("*/", index + 2)
      end = close === -1 ? sql.length : close + 2
    } else if (char === "$" && next === "$") {
      const close = sql.indexOf("$$", index + 2)
      end = close === -1 ? sql.length : close + 2
    }
    if (end === -1) {
      index++
      continue
    }
    pushCode(index)
    let text = sql.slice(index, end)
    if (char === '"' && /^"[A-Z_][A-Z0-9_$]*"$/.test(text)) text = text.toLowerCase()
    out.push({ code: char === '"', text })
    start = index = end
  }
  pushCode(sql.length)
  return out
}

/** Function rewrites: Snowflake name → [Postgres text before the arguments, text after]. */
const FUNCTIONS: Record<string, readonly [string, string]> = {
  PARSE_JSON: ["(", ")::jsonb"],
  OBJECT_CONSTRUCT: ["sf.object(jsonb_build_object(", "))"],
  ARRAY_CONSTRUCT: ["sf.array(jsonb_build_array(", "))"],
  TO_TIMESTAMP_TZ: ["sf.to_timestamp_tz(", ")"],
  TO_TIMESTAMP_NTZ: ["sf.to_timestamp_ntz(", ")"],
  TO_TIMESTAMP_LTZ: ["sf.to_timestamp_ltz(", ")"],
  TO_BINARY: ["sf.to_binary(", ")"],
  SYSTEM$WAIT: ["sf.system_wait(", ")"]
}

const CASTS: ReadonlyArray<readonly [RegExp, string]> = [
  [/::\s*VARIANT\b/gi, "::jsonb"],
  [/::\s*TIMESTAMP_NTZ\b/gi, "::timestamp"],
  [/::\s*TIMESTAMP_LTZ\b/gi, "::timestamptz"],
  [/::\s*NUMBER\b/gi, "::numeric"],
  [/::\s*(?:STRING|VARCHAR)\b/gi, "::text"]
]

// Inside another OBJECT_CONSTRUCT/ARRAY_CONSTRUCT a nested one must stay plain jsonb: the
// composite OBJECT/ARRAY types would be serialized as records ({"value": ...}).
const NESTED: Record<string, readonly [string, string]> = {
  OBJECT_CONSTRUCT: ["jsonb_build_object(", ")"],
  ARRAY_CONSTRUCT: ["jsonb_build_array(", ")"]
}

/**
 * Rewrites the Snowflake function calls in `code`, left to right, finding each call's closing
 * parenthesis in `mask` (the same text with string literals blanked, so their parentheses do not
 * count). Arguments are rewritten recursively.
 */
const rewriteFunctions = (code: string, mask: string, nested = false): { code: string; mask: string } => {
  // Not after a dot: the rewritten `sf.to_timestamp_tz(` must not match again.
  const pattern =
    /(?<![.\w$])(PARSE_JSON|OBJECT_CONSTRUCT|ARRAY_CONSTRUCT|TO_TIMESTAMP_TZ|TO_TIMESTAMP_NTZ|TO_TIMESTAMP_LTZ|TO_BINARY|SYSTEM\$WAIT)\s*\(/gi
  let outCode = ""
  let outMask = ""
  let position = 0
  for (;;) {
    pattern.lastIndex = position
    const match = pattern.exec(mask)
    if (match === null) break
    const name = match[1]!.toUpperCase()
    const construct = name === "OBJECT_CONSTRUCT" || name === "ARRAY_CONSTRUCT"
    const [before, after] = nested && construct ? NESTED[name]! : FUNCTIONS[name]!
    const open = match.index + match[0].length - 1
    let depth = 0
    let close = -1
    for (let index = open; index < mask.length; index++) {
      if (mask[index] === "(") depth++
      else if (mask[index] === ")") {
        depth--
        if (depth === 0) {
          close = index
          break
        }
      }
    }
    if (close === -1) break // unbalanced: let Postgres report the syntax error
    const args = rewriteFunctions(code.slice(open + 1, close), mask.slice(open + 1, close), construct || nested)
    outCode += code.slice(position, match.index) + before + args.code + after
    outMask += mask.slice(position, match.index) + before + args.mask + after
    position = close + 1
  }
  return { code: outCode + code.slice(position), mask: outMask + mask.slice(position) }
}

/** Snowflake SQL → PostgreSQL, with the number of bind markers it found. */
export const translateSql = (sql: string): { readonly sql: string; readonly binds: number } => {
  const parts = regions(sql)
  // A mask of the SQL with every non-code region blanked to spaces of the same length, so that
  // pattern matches and parenthesis counting only ever see code.
  let code = ""
  let mask = ""
  for (const part of parts) {
    code += part.text
    mask += part.code && !part.text.startsWith('"') ? part.text : " ".repeat(part.text.length)
  }
  let binds = 0
  const replaceInCode = (pattern: RegExp, replacement: (match: string, ...groups: Array<string>) => string) => {
    let out = ""
    let outMask = ""
    let last = 0
    for (const match of mask.matchAll(pattern)) {
      const replaced = replacement(match[0], ...(match.slice(1) as Array<string>))
      out += code.slice(last, match.index) + replaced
      outMask += mask.slice(last, match.index) + replaced
      last = match.index + match[0].length
    }
    code = out + code.slice(last)
    mask = outMask + mask.slice(last)
  }
  replaceInCode(/\?|(?<![:\w]):(\d+)\b/g, (_match, position) => {
    binds++
    return `$${position ?? binds}`
  })
  for (const [pattern, replacement] of CASTS) replaceInCode(pattern, () => replacement)
  replaceInCode(/\bINFORMATION_SCHEMA\s*\.\s*TABLES\b/gi, () => "sf.information_schema_tables")
  replaceInCode(/\bINFORMATION_SCHEMA\s*\.\s*COLUMNS\b/gi, () => "sf.information_schema_columns")
  const rewritten = rewriteFunctions(code, mask)
  return { sql: rewritten.code, binds }
}
