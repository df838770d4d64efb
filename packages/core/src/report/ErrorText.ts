/** An unexpected error (a defect, a throw) as one line: its name and message, never a stack. */
export const oneLineError = (error: unknown): string => {
  try {
    const text = (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).replace(/\s+/g, " ")
    return text.length > 300 ? `${text.slice(0, 300)}…` : text
  } catch {
    return "an error that could not be described"
  }
}
