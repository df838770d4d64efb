/** Text made safe to place in HTML, between tags or inside a quoted attribute. */
export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (character) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[character] ?? character)

/** A piece of markup already safe: `html` places it as it is. */
export interface Markup {
  readonly markup: string
}

/** Markup from a string known to be safe (an SVG the chart library serialised, a constant). */
export const trusted = (markup: string): Markup => ({ markup })

type Hole = Markup | string | number | ReadonlyArray<Markup> | undefined

const placed = (hole: Hole): string => {
  if (hole === undefined) return ""
  if (typeof hole === "string") return escapeHtml(hole)
  if (typeof hole === "number") return escapeHtml(String(hole))
  if (Array.isArray(hole)) return (hole as ReadonlyArray<Markup>).map((piece) => piece.markup).join("")
  return (hole as Markup).markup
}

/**
 * Markup with every interpolated string escaped: the report shows names and values that come
 * from the user's table (category values, sync names), which must never become markup.
 */
export const html = (strings: TemplateStringsArray, ...holes: ReadonlyArray<Hole>): Markup =>
  trusted(strings.reduce((text, piece, index) => text + piece + (index < holes.length ? placed(holes[index]) : ""), ""))
