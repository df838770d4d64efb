import { readFileSync } from "node:fs"
import { parseDbtManifest } from "@tablecast/config"
import { describe, expect, it } from "vitest"
import { dbtModelsPieces, dbtModelsText } from "./DbtModelsText.ts"
import { terminalJson } from "./TerminalText.ts"

const fixture = new URL("../../../packages/config/src/dbt/fixtures/manifest-v12-postgres.json", import.meta.url)
const manifest = parseDbtManifest(JSON.parse(readFileSync(fixture, "utf8")), "manifest.json")
// A description with a terminal escape: shown, escaped, never obeyed.
const models = [...manifest.models, { ...manifest.models[0]!, uniqueId: "model.churn.escaped", description: "red \u001b[31m text" }]

describe("a dbt project's models, a model at a time", () => {
  it("prints, piece by piece, exactly the JSON of the whole list", () => {
    const pieces = [...dbtModelsPieces(models, true)]
    expect(pieces.length).toBe(models.length + 2)
    expect(pieces.join("")).toBe(terminalJson(JSON.stringify({ models }, null, 2)))
    expect(pieces.join("")).not.toContain("\u001b")
    expect(JSON.parse(pieces.join(""))).toEqual(JSON.parse(JSON.stringify({ models })))
    expect(dbtModelsText([], true)).toBe(JSON.stringify({ models: [] }, null, 2))
  })

  it("prints the text listing one model per piece, then how to inspect one", () => {
    const pieces = [...dbtModelsPieces(models, false)]
    expect(pieces).toHaveLength(models.length + 1)
    expect(pieces[0]).toMatch(/^churn\.\S+ {2}/)
    expect(pieces.at(-1)).toContain("tablecast inspect --dbt-model <MODEL>")
    expect(dbtModelsText([], false)).toBe("no models in this dbt project's manifest")
  })
})
