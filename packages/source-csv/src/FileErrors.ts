import { SourceError } from "@tablecast/core"
import { errorCode, isCsvReadError } from "./CsvReadError.ts"

/**
 * Turns a file system failure into a `SourceError` naming the path: "not-found" for a missing file,
 * "io" for anything else that stops the file being read (permissions, a directory, a disk error).
 * The reader's own failures keep what they say.
 */
export const fileError = (path: string, cause: unknown): SourceError => {
  if (cause instanceof SourceError) return cause
  if (isCsvReadError(cause)) {
    const { _tag, ...fields } = cause
    return new SourceError(fields)
  }
  const code = errorCode(cause)
  switch (code) {
    case "ENOENT":
      return new SourceError({ message: `CSV file not found: ${path}`, code: "not-found", driverCode: code })
    case "EACCES":
    case "EPERM":
      return new SourceError({ message: `cannot read CSV file ${path}: permission denied`, code: "io", driverCode: code })
    case "EISDIR":
      return new SourceError({ message: `cannot read CSV file ${path}: it is a directory`, code: "io", driverCode: code })
    default: {
      const reason = cause instanceof Error ? cause.message : String(cause)
      return new SourceError({
        message: `cannot read CSV file ${path}: ${reason}`,
        code: "io",
        ...(code === undefined ? {} : { driverCode: code })
      })
    }
  }
}
