import { SourceError } from "@tablecast/core"
import { describe, expect, it } from "vitest"
import { csvReadError, isCsvReadError } from "./CsvReadError.ts"
import { fileError } from "./FileErrors.ts"

describe("CsvReadError", () => {
  const failure = csvReadError({
    message: "the header row of a.csv is not usable: column 2 has an empty name",
    code: "header",
    row: 3,
    column: "id"
  })

  it("is tagged plain data that crosses between threads unchanged", () => {
    expect(failure).toEqual({
      _tag: "CsvReadError",
      message: "the header row of a.csv is not usable: column 2 has an empty name",
      code: "header",
      row: 3,
      column: "id"
    })
    const cloned = structuredClone(failure)
    expect(cloned).toEqual(failure)
    expect(isCsvReadError(cloned)).toBe(true)
  })

  it("is told apart from other failures by its tag", () => {
    expect(isCsvReadError(new Error("the header row"))).toBe(false)
    expect(isCsvReadError({ _tag: "SourceError", message: "x" })).toBe(false)
    expect(isCsvReadError(undefined)).toBe(false)
    expect(isCsvReadError("CsvReadError")).toBe(false)
  })

  it("becomes the pipeline's SourceError with the same fields", () => {
    const error = fileError("a.csv", failure)
    expect(error).toBeInstanceOf(SourceError)
    expect({ ...error, message: error.message }).toEqual({
      _tag: "SourceError",
      message: "the header row of a.csv is not usable: column 2 has an empty name",
      code: "header",
      row: 3,
      column: "id"
    })
  })
})
