import { describe, expect, it } from "vitest"
import { duplicateColumnError, refusedBinaryError } from "./ColumnChecks.ts"

const columns = [
  { name: "id", sourceType: "int4", kind: "number" as const },
  { name: "avatar", sourceType: "bytea", kind: "binary" as const }
]

describe("column checks", () => {
  it("name the first repeated column", () => {
    expect(duplicateColumnError("Postgres", columns, "reading x")).toBeUndefined()
    expect(duplicateColumnError("Snowflake", [{ name: "A" }, { name: "B" }, { name: "A" }], "reading x")).toMatchObject({
      message: 'Snowflake: reading x: the result has two columns named "A"; give one an alias (AS other_name)',
      code: "query",
      column: "A"
    })
  })

  it("refuse a binary column only when the options do", () => {
    expect(refusedBinaryError("Postgres", columns, { bigNumbers: "string", binary: "refuse" }, "reading x")).toMatchObject({
      message: expect.stringMatching(/^Postgres: reading x: column "avatar" is binary \(bytea\), which JSON cannot carry; /),
      code: "binary-column",
      column: "avatar"
    })
    expect(refusedBinaryError("Postgres", columns, { bigNumbers: "string", binary: "base64" }, "reading x")).toBeUndefined()
    expect(refusedBinaryError("Postgres", columns, { bigNumbers: "string", binary: "inspect" }, "reading x")).toBeUndefined()
  })
})
