import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import path from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { ConfigError } from "../ConfigError.ts"
import { findDbtModel, parseDbtManifest } from "./DbtManifest.ts"
import { loadDbtManifest, withDbtRelation } from "./DbtProject.ts"
import { writeLargeManifest } from "./LargeManifest.testkit.ts"

const folder = mkdtempSync(path.join(tmpdir(), "tablecast-dbt-large-"))
afterAll(() => rmSync(folder, { recursive: true, force: true }))

/** A dbt project whose target/manifest.json is written by `write`. */
const projectWith = (name: string, write: (file: string) => void): string => {
  const dir = path.join(folder, name)
  mkdirSync(path.join(dir, "target"), { recursive: true })
  write(path.join(dir, "target", "manifest.json"))
  return dir
}
const manifestOf = (dir: string) => path.join(dir, "target", "manifest.json")

const failure = async (promise: Promise<unknown>): Promise<ConfigError> => {
  const error = await promise.then(
    () => undefined,
    (error: unknown) => error
  )
  expect(error).toBeInstanceOf(ConfigError)
  return error as ConfigError
}

// About 40 MB, the size that made JSON.parse of the whole file peak over 220 MiB.
const large = projectWith("large", (file) => writeLargeManifest(file, { models: 3_900 }))

// Reading 40 MB takes seconds on a busy machine: the tests get time (nothing here measures it).
describe("reading a large dbt manifest as it streams by", { timeout: 120_000 }, () => {
  it("resolves a model of a 40 MB manifest exactly as parsing the whole file does", async () => {
    expect(statSync(manifestOf(large)).size).toBeGreaterThan(40_000_000)
    const whole = findDbtModel(parseDbtManifest(JSON.parse(readFileSync(manifestOf(large), "utf8")), manifestOf(large)), "churn.churn_scores")
    const streamed = findDbtModel(await loadDbtManifest(large, "churn.churn_scores"), "churn.churn_scores")
    expect(streamed).toEqual(whole)
    // What the manifest says of it: the alias dbt built, its docs, and the tests on its customer id.
    expect(streamed).toMatchObject({ uniqueId: "model.churn.churn_scores", schema: "marts", identifier: "churn_scores_v2" })
    expect(streamed.columns.map((column) => [column.name, column.checks])).toEqual([
      ["customer_id", ["unique", "not_null"]],
      ["churn_score", []]
    ])
    expect(streamed.columns[1]?.description).toBe("Probability of churn in the next 30 days.")
    expect(await withDbtRelation({ type: "postgres" }, { model: "churn_scores", project: large })).toEqual({
      type: "postgres",
      table: '"marts"."churn_scores_v2"'
    })
  })

  it("keeps every model's name for the messages, and the docs of all models when none is named", async () => {
    const named = await loadDbtManifest(large, "churn_scores")
    expect(named.models).toHaveLength(3_901)
    // A model the name cannot pick keeps its names only.
    const other = named.models.find((model) => model.uniqueId === "model.shop.model_7")
    expect(other).toMatchObject({ name: "model_7", columns: [], description: undefined })
    expect((await failure(withDbtRelation({ type: "postgres" }, { model: "model_7x", project: large }))).message).toContain(
      'no dbt model "model_7x" in the manifest (3901 models); did you mean shop.model_7'
    )
    const all = await loadDbtManifest(large)
    const seven = all.models.find((model) => model.uniqueId === "model.shop.model_7")
    expect(seven?.columns).toHaveLength(10)
    expect(seven?.columns[0]).toMatchObject({ name: "customer_id", checks: ["unique", "not_null"] })
  })

  it("checks the version wherever the metadata is, and refuses an unknown one or a file cut short", async () => {
    const last = projectWith("metadata-last", (file) => writeLargeManifest(file, { models: 20, metadataLast: true, version: "v10" }))
    expect((await loadDbtManifest(last, "churn_scores")).version).toBe("v10")
    const future = projectWith("v13", (file) => writeLargeManifest(file, { models: 20, version: "v13" }))
    expect((await failure(loadDbtManifest(future))).message).toContain("dbt manifest schema v13 is not supported (tablecast reads v10, v11, v12")
    const cut = projectWith("cut", (file) => writeFileSync(file, readFileSync(manifestOf(last), "utf8").slice(0, 5_000)))
    expect((await failure(loadDbtManifest(cut))).message).toContain(`${manifestOf(cut)} is not JSON`)
    const none = projectWith("none", (file) => writeFileSync(file, '{"nodes": {}}'))
    expect((await failure(loadDbtManifest(none))).message).toContain("not a dbt manifest (no metadata.dbt_schema_version)")
  })
})
